"""Response shapes of the organisations API. Dates are ISO 8601 (`YYYY-MM-DD`); FTE is a decimal string
with two places ("0.80"), so clients get the stored value exactly rather than a binary float."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from ninja import Field, Schema
from pydantic.json_schema import SkipJsonSchema

from .models import (
    AfcBand,
    ContractType,
    Disability,
    EmploymentSpell,
    OrganisationKind,
    Person,
    Sex,
    SupportRole,
    Team,
    TeamSetting,
)

ODS_CODE_PATTERN = r"^[A-Za-z0-9]{3,5}$"
# An ODS code as a parameter: 3 to 5 letters or digits (so no NUL, no overlong text reaches a query).
OdsCode = Annotated[str, Field(pattern=ODS_CODE_PATTERN, description="An ODS code, for example RX3.")]


def fte_field() -> Any:
    return Field(
        description='Whole-time equivalent as a decimal string with two places, for example "0.80".',
        pattern=r"^\d\.\d\d$",
        examples=["1.00", "0.60"],
    )


def ods_code_field() -> Any:
    return Field(description="The organisation's ODS code, for example RX3.")


class AllianceRef(Schema):
    code: str
    name: str


class OrganisationOut(Schema):
    ods_code: str = ods_code_field()
    name: str
    kind: OrganisationKind
    alliance: AllianceRef | None


class TeamRef(Schema):
    id: int
    name: str


class TeamOut(Schema):
    id: int
    name: str
    setting: TeamSetting
    organisation: str = ods_code_field()
    site: str | None = Field(description="The name of the team's main site, if recorded.")

    @staticmethod
    def resolve_organisation(team: Team) -> str:
        return team.organisation.ods_code

    @staticmethod
    def resolve_site(team: Team) -> str | None:
        return team.site.name if team.site is not None else None


class SupportRoleRef(Schema):
    id: int
    name: str


class PostOut(Schema):
    """A current post: one employment spell that is active today."""

    spell_id: int
    job_title: str = Field(description="The local job title, or the ESR job role where no title is recorded.")
    afc_band: AfcBand
    team: TeamRef | None
    support_role: SupportRoleRef | None = Field(description="The canonical support role the title maps to.")
    fte: str = fte_field()

    @staticmethod
    def resolve_spell_id(spell: EmploymentSpell) -> int:
        return spell.pk

    @staticmethod
    def resolve_support_role(spell: EmploymentSpell) -> SupportRole | None:
        return spell.role

    @staticmethod
    def resolve_fte(spell: EmploymentSpell) -> str:
        return f"{spell.fte:.2f}"

    @staticmethod
    def resolve_job_title(spell: EmploymentSpell) -> str:
        return spell.job_title or spell.job_role


class PersonOut(Schema):
    id: int
    staff_id: str = Field(description="The employer's (pseudonymised ESR) person identifier.")
    given_name: str
    family_name: str
    display_name: str
    organisation: str = ods_code_field()
    status: Literal["current", "left"] = Field(
        description="`current` when the person holds at least one post today, `left` otherwise."
    )
    current_posts: list[PostOut] = Field(description="Posts held today, the most recently started first.")

    @staticmethod
    def resolve_organisation(person: Person) -> str:
        return person.organisation.ods_code

    @staticmethod
    def resolve_current_posts(person: Person) -> list[EmploymentSpell]:
        # Loaded by the selector (a prefetch into `current_spells`); never queried per person here.
        return person.current_spells  # type: ignore[attr-defined,no-any-return]

    @staticmethod
    def resolve_status(person: Person) -> str:
        return "current" if person.current_spells else "left"  # type: ignore[attr-defined]


class ProtectedCharacteristics(Schema):
    """Equality monitoring data. Codes follow the NHS Data Dictionary (ethnic category) and ESR."""

    year_of_birth: int | None
    sex: Sex
    ethnic_category: str = Field(description="NHS Data Dictionary ethnic category code; 99 is not known.")
    disability: Disability
    religion: str = Field(description="Religion or belief; empty when not recorded.")
    sexual_orientation: str = Field(description="Empty when not recorded.")
    nationality: str = Field(description="Empty when not recorded.")


class PersonDetailOut(PersonOut):
    email: str = Field(description="Work email address; empty when not recorded.")
    # SkipJsonSchema: the document says "optional object", not "nullable", because it is absent, never null.
    protected_characteristics: ProtectedCharacteristics | SkipJsonSchema[None] = Field(
        default=None,
        description=(
            "Present only when the acting role may see this person's protected characteristics (the person "
            "themselves and their organisation's admins). For every other role the field is left out of the "
            "response altogether, rather than sent empty."
        ),
    )


class PeoplePage(Schema):
    count: int = Field(description="How many people match the filters, across all pages.")
    limit: int
    offset: int
    items: list[PersonOut]


class SpellOut(Schema):
    id: int
    person_id: int
    assignment_id: str
    team: TeamRef | None
    support_role: SupportRoleRef | None = Field(description="The canonical support role the title maps to.")
    occupation_code: str
    job_role: str
    job_title: str
    afc_band: AfcBand
    staff_group: str
    area_of_work: str
    contract_type: ContractType
    fte: str = fte_field()
    start_date: dt.date
    end_date: dt.date | None = Field(description="Null while the spell is open.")
    leaving_reason: str = Field(description="The ESR leaving reason; empty unless the spell has ended.")
    line_manager_name: str | None
    is_current: bool

    @staticmethod
    def resolve_support_role(spell: EmploymentSpell) -> SupportRole | None:
        return spell.role

    @staticmethod
    def resolve_fte(spell: EmploymentSpell) -> str:
        return f"{spell.fte:.2f}"

    @staticmethod
    def resolve_line_manager_name(spell: EmploymentSpell) -> str | None:
        return spell.line_manager.display_name if spell.line_manager else None
