"""What the delegation register reads: protocols and their rules, the choices of the check page, and the person,
team and posts a check needs.

A protocol's rules are read one way: requirement rows of the `REQUIREMENT` columns and (id, name) role pairs,
made into `ProtocolRules` by `_RuleBuilder`. `protocol_rules` reads them through the ORM for any number of
protocols (two queries); `rules_for_check` reads one protocol with its rules in one hand-written statement, for
the API's check (ADR 0025). Functions returning a protocol, person or team "whether or not
visible" leave access to the caller, who checks it and audits a refusal."""

from __future__ import annotations

import datetime as dt
import functools
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, TypeVar

from django.db import connection
from django.db.models import Exists, ManyToManyField, Model, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from cultivate.accounts.models import Membership
from cultivate.core import rows
from cultivate.core.periods import active_on_sql
from cultivate.core.scopes import ScopedQuerySet
from cultivate.frameworks.models import Competence, Framework, FrameworkVersion, NodeType, VersionStatus
from cultivate.organisations import access as org_access
from cultivate.organisations.models import EmploymentSpell, Organisation, Person, SupportRole, Team

from ..models import DelegationProtocol, ProtocolRequirement
from ..status import VERSION_DOCUMENTS
from .decision import Post, ProtocolRules, RequiredCompetence, required_competence, rules_of

# The check page lists at most this many people to choose from; a search by name or staff ID narrows the list.
PERSON_CHOICES_MAX = 50

# --- A protocol's rules ---------------------------------------------------------------------------------------

# What the rules need of each requirement, as plain columns (named as a queryset's `values()` names them): loading
# whole rows of three joined models, and decoding their JSON, cost more than the rest of the check.
REQUIREMENT = rows.Columns(
    "protocol_id",
    "id",
    "min_level",
    "competence_id",
    "competence__version_id",
    "competence__framework_id",
    "competence__identifier",
    "competence__code",
    "competence__title",
    "competence__short_title",
    "competence__content_hash",
    "competence__version__status",
    "competence__version__number",
    "competence__framework__title",
    "competence__framework__levels",
)
# Requirements in the order every reader gives them.
REQUIREMENT_ORDER = ("competence__code", "id")

_M = TypeVar("_M", bound=Model)


def _loaded(model: type[_M], values: dict[str, Any]) -> _M:
    """An instance of `model` as loaded with only these fields (by attname); the others are deferred, read from
    the database if asked for. `from_db` takes the values in the order of the model's fields."""
    names = [f.attname for f in model._meta.concrete_fields if f.attname in values]
    assert len(names) == len(values), f"not fields of {model.__name__}: {set(values) - set(names)}"
    return model.from_db(ProtocolRequirement.objects.db, names, [values[name] for name in names])


class _RuleBuilder:
    """Requirements made from rows of the `REQUIREMENT` columns, with each framework made once."""

    def __init__(self) -> None:
        self.frameworks: dict[int, Framework] = {}

    def requirement(self, row: Mapping[str, Any]) -> RequiredCompetence:
        framework_id = row["competence__framework_id"]
        framework = self.frameworks.get(framework_id)
        if framework is None:
            framework = self.frameworks[framework_id] = _loaded(
                Framework,
                {
                    "id": framework_id,
                    "title": row["competence__framework__title"],
                    "levels": row["competence__framework__levels"],
                },
            )
        version_id = row["competence__version_id"]
        competence = _loaded(
            Competence,
            {
                "id": row["competence_id"],
                "version_id": version_id,
                "framework_id": framework_id,
                "identifier": row["competence__identifier"],
                "code": row["competence__code"],
                "title": row["competence__title"],
                "short_title": row["competence__short_title"],
                "content_hash": row["competence__content_hash"],
            },
        )
        competence.version = _loaded(
            FrameworkVersion,
            {
                "id": version_id,
                "framework_id": framework_id,
                "status": row["competence__version__status"],
                "number": row["competence__version__number"],
            },
        )
        competence.framework = framework
        return required_competence(competence, row["min_level"])


def protocol_rules(protocols: Sequence[DelegationProtocol]) -> list[ProtocolRules]:
    """The rules of each protocol, in the order given: two queries (requirements, roles) whatever their number."""
    if not protocols:
        return []
    ids = [protocol.pk for protocol in protocols]
    builder = _RuleBuilder()
    requirements: dict[int, list[RequiredCompetence]] = defaultdict(list)
    for row in (
        ProtocolRequirement.objects.filter(protocol_id__in=ids)
        .order_by(*REQUIREMENT_ORDER)
        .values(*REQUIREMENT.names)
    ):
        requirements[row["protocol_id"]].append(builder.requirement(row))
    roles_field = DelegationProtocol._meta.get_field("roles")
    assert isinstance(roles_field, ManyToManyField)
    protocol_key, role_key = roles_field.m2m_field_name(), roles_field.m2m_reverse_field_name()
    roles: dict[int, list[tuple[int, str]]] = defaultdict(list)
    links = DelegationProtocol.roles.through.objects.filter(**{f"{protocol_key}_id__in": ids})
    for protocol_id, role_id, name in links.values_list(
        f"{protocol_key}_id", f"{role_key}_id", f"{role_key}__name"
    ):
        roles[protocol_id].append((role_id, name))
    return [rules_of(p, requirements[p.pk], roles[p.pk]) for p in protocols]


# The role columns of `rules_for_check`'s rows, after the protocol's and the requirement's.
_ROLE = rows.Columns("role_id", "role_name")


def _rules_for_check_sql() -> str:
    """A protocol of an organisation (by code) with its requirements (the `REQUIREMENT` columns) and its roles:
    one row per requirement × role, NULLs where it has none."""
    p, r, c, v, f, s = "p", "r", "c", "v", "f", "s"
    col = rows.column
    roles = DelegationProtocol._meta.get_field("roles")
    assert isinstance(roles, ManyToManyField)
    link = rows.quote(roles.m2m_db_table())
    requirement = REQUIREMENT.sql(
        {
            "protocol_id": col(ProtocolRequirement, "protocol", r),
            "id": col(ProtocolRequirement, "id", r),
            "min_level": col(ProtocolRequirement, "min_level", r),
            "competence_id": col(ProtocolRequirement, "competence", r),
            "competence__version_id": col(Competence, "version", c),
            "competence__framework_id": col(Competence, "framework", c),
            "competence__identifier": col(Competence, "identifier", c),
            "competence__code": col(Competence, "code", c),
            "competence__title": col(Competence, "title", c),
            "competence__short_title": col(Competence, "short_title", c),
            "competence__content_hash": col(Competence, "content_hash", c),
            "competence__version__status": col(FrameworkVersion, "status", v),
            "competence__version__number": col(FrameworkVersion, "number", v),
            "competence__framework__title": col(Framework, "title", f),
            "competence__framework__levels": col(Framework, "levels", f),
        }
    )
    role = _ROLE.sql({"role_id": col(SupportRole, "id", s), "role_name": col(SupportRole, "name", s)})
    return (
        f"SELECT {rows.select_list(DelegationProtocol, p)}, {requirement}, {role} "  # noqa: S608
        f"FROM {rows.table(DelegationProtocol)} {rows.quote(p)} "
        f"LEFT OUTER JOIN {rows.table(ProtocolRequirement)} {rows.quote(r)} "
        f"ON {col(ProtocolRequirement, 'protocol', r)} = {col(DelegationProtocol, 'id', p)} "
        f"LEFT OUTER JOIN {rows.table(Competence)} {rows.quote(c)} "
        f"ON {col(Competence, 'id', c)} = {col(ProtocolRequirement, 'competence', r)} "
        f"LEFT OUTER JOIN {rows.table(FrameworkVersion)} {rows.quote(v)} "
        f"ON {col(FrameworkVersion, 'id', v)} = {col(Competence, 'version', c)} "
        f"LEFT OUTER JOIN {rows.table(Framework)} {rows.quote(f)} "
        f"ON {col(Framework, 'id', f)} = {col(Competence, 'framework', c)} "
        f"LEFT OUTER JOIN {link} ON {link}.{rows.quote(roles.m2m_column_name())} = {col(DelegationProtocol, 'id', p)} "
        f"LEFT OUTER JOIN {rows.table(SupportRole)} {rows.quote(s)} "
        f"ON {col(SupportRole, 'id', s)} = {link}.{rows.quote(roles.m2m_reverse_name())} "
        f"WHERE {col(DelegationProtocol, 'organisation', p)} = %s AND {col(DelegationProtocol, 'code', p)} = %s "
        # As `REQUIREMENT_ORDER` orders the requirements.
        f"ORDER BY {col(Competence, 'code', c)}, {col(ProtocolRequirement, 'id', r)}, {col(SupportRole, 'id', s)}"
    )


def rules_for_check(organisation: Organisation, code: str) -> ProtocolRules | None:
    """The protocol with this code in the organisation with its rules, read in one hand-written query for the
    API's check (None when there is none): what `protocol_rules([protocol_by_code(...)])` gives, in one query
    instead of five."""
    with connection.cursor() as cursor:
        cursor.execute(
            rows.statement("delegation_rules_for_check", _rules_for_check_sql),
            [organisation.pk, code.strip().lower()],
        )
        found = cursor.fetchall()
    if not found:
        return None
    protocol = rows.from_row(DelegationProtocol, found[0])
    assert protocol is not None
    protocol.organisation = organisation  # the same row: saves reading it again for the audit event
    at_requirement = rows.width(DelegationProtocol)
    at_role = at_requirement + len(REQUIREMENT)
    # The raw values the ORM would convert: a UUID, and JSON.
    identifier = rows.converter(Competence, "identifier")
    levels = rows.converter(Framework, "levels")
    builder = _RuleBuilder()
    requirements: list[RequiredCompetence] = []
    seen: set[int] = set()
    roles: dict[int, str] = {}
    for row in found:
        requirement = REQUIREMENT.named(row, at_requirement)
        if requirement["id"] is not None and requirement["id"] not in seen:
            seen.add(requirement["id"])
            requirement["competence__identifier"] = identifier(requirement["competence__identifier"])
            requirement["competence__framework__levels"] = levels(
                requirement["competence__framework__levels"]
            )
            requirements.append(builder.requirement(requirement))
        role = _ROLE.named(row, at_role)
        if role["role_id"] is not None:
            roles[role["role_id"]] = role["role_name"]
    return rules_of(protocol, requirements, roles.items())


# --- Protocols ------------------------------------------------------------------------------------------------


def _protocol_requirements() -> QuerySet[ProtocolRequirement]:
    return (
        ProtocolRequirement.objects.select_related(
            "competence", "competence__framework", "competence__version"
        )
        .defer(*(f"competence__{name}" for name in VERSION_DOCUMENTS))  # the version's CASE document etc.
        .order_by(*REQUIREMENT_ORDER)
    )


def _protocols() -> ScopedQuerySet[DelegationProtocol]:
    """Protocols with their requirements and roles, for the pages and the API that show them."""
    return DelegationProtocol.objects.select_related("organisation").prefetch_related(
        Prefetch("requirements", queryset=_protocol_requirements()),
        Prefetch("roles", queryset=SupportRole.objects.order_by("name")),
    )


def protocols_visible_to(membership: Membership | None) -> QuerySet[DelegationProtocol]:
    """The protocols of the role's organisation (every member may read them); none for alliance roles."""
    return _protocols().for_membership(membership).order_by("activity", "code")


def active_protocols(organisation_id: int) -> QuerySet[DelegationProtocol]:
    """The organisation's protocols in use, without their requirements (`protocol_rules` reads those)."""
    return DelegationProtocol.objects.select_related("organisation").filter(
        organisation_id=organisation_id, is_active=True
    )


def protocol_by_id(pk: int) -> DelegationProtocol | None:
    """The protocol, whether or not visible."""
    return _protocols().filter(pk=pk).first()


def protocol_by_code(organisation: Organisation, code: str) -> DelegationProtocol | None:
    # The code is unique in the organisation: no ordering (the default one joins the organisation).
    found = _protocols().filter(organisation=organisation, code=code.strip().lower()).order_by()[:1]
    return next(iter(found), None)


def requirement_by_id(protocol: DelegationProtocol, pk: int) -> ProtocolRequirement | None:
    return next((r for r in protocol.requirements.all() if r.pk == pk), None)


def frameworks_available_to(organisation: Organisation) -> QuerySet[Framework]:
    """Frameworks the organisation may draw competences from: its own, its alliance's, the ones it adopted and
    the reference frameworks, each with a published version."""
    owned = (
        Q(owner_organisation=organisation) | Q(is_reference=True) | Q(adoptions__organisation=organisation)
    )
    if organisation.alliance_id:
        owned |= Q(owner_alliance_id=organisation.alliance_id)
    return (
        Framework.objects.filter(owned, versions__status=VersionStatus.PUBLISHED)
        .distinct()
        .order_by("title", "pk")
    )


def competences_available_to(organisation: Organisation) -> QuerySet[Competence]:
    """Competences (published rows) a protocol of the organisation may require."""
    return (
        Competence.objects.filter(
            framework__in=frameworks_available_to(organisation).values("pk"),
            version__status=VersionStatus.PUBLISHED,
            node_type=NodeType.COMPETENCE,
        )
        .select_related("framework")
        .order_by("framework__title", "code", "sequence", "pk")
    )


def competence_for_protocol(organisation: Organisation, pk: int) -> Competence | None:
    return competences_available_to(organisation).filter(pk=pk).first()


def level_choices(organisation: Organisation) -> list[tuple[str, str]]:
    """Every level code used by the frameworks available to the organisation, lowest first."""
    seen: dict[str, str] = {}
    for framework in frameworks_available_to(organisation):
        for level in framework.level_list:
            seen.setdefault(level["code"], level["label"])
    return list(seen.items())


# --- The check's person, team and posts ---------------------------------------------------------------------


def teams_for_check(organisation: Organisation) -> QuerySet[Team]:
    return Team.objects.filter(organisation=organisation).order_by("name")


def _team_sql() -> str:
    return (
        f"SELECT {rows.select_list(Team)} FROM {rows.table(Team)} "  # noqa: S608
        f"WHERE {rows.column(Team, 'organisation')} = %s AND {rows.column(Team, 'id')} = %s"
    )


def team_for_check(organisation: Organisation, *, team_id: int | None = None, name: str = "") -> Team | None:
    """The organisation's team by id or by name (either case), whether or not visible."""
    if team_id is not None:
        # Hand-written: the API's check asks for a team by id on every call.
        with connection.cursor() as cursor:
            cursor.execute(rows.statement("delegation_team", _team_sql), [organisation.pk, team_id])
            found = cursor.fetchone()
        return rows.from_row(Team, found) if found else None
    # Ordered by id: the model's default order joins the organisation for nothing.
    return Team.objects.filter(organisation=organisation, name__iexact=name.strip()).order_by("pk").first()


def organisation_by_code(ods_code: str) -> Organisation | None:
    """The organisation, whether or not visible."""
    return Organisation.objects.filter(ods_code=ods_code.strip().upper()).first()


def _person_sql() -> str:
    return (
        f"SELECT {rows.select_list(Person)}, {rows.select_list(Organisation)} "  # noqa: S608
        f"FROM {rows.table(Person)} INNER JOIN {rows.table(Organisation)} "
        f"ON {rows.column(Organisation, 'id')} = {rows.column(Person, 'organisation')} "
        f"WHERE {rows.column(Person, 'id')} = %s"
    )


def person_for_check(pk: int) -> Person | None:
    """The person with their organisation, whether or not visible. Hand-written: the API's check reads one on
    every call."""
    with connection.cursor() as cursor:
        cursor.execute(rows.statement("delegation_person", _person_sql), [pk])
        found = cursor.fetchone()
    if found is None:
        return None
    person, organisation = rows.split(found, (Person, Organisation))
    assert isinstance(person, Person)
    person.organisation = organisation
    return person


def person_by_staff_id(organisation: Organisation, staff_id: str) -> Person | None:
    return (
        Person.objects.select_related("organisation")
        .filter(organisation=organisation, staff_id=staff_id.strip())
        .first()
    )


def people_for_check(
    membership: Membership | None,
    *,
    on: dt.date | None = None,
    query: str = "",
    team_ids: Sequence[int] = (),
    include: int | None = None,
) -> tuple[list[Person], int]:
    """The people in the role's scope who hold a post on the day, by name, to choose from: those matching
    `query` (each word in a name, or a staff ID), else those in `team_ids` (a manager's own teams) when given,
    else everyone in scope. At most PERSON_CHOICES_MAX of them, and how many match in all; `include` (a person
    chosen before, if in scope) is always among them. Two or three queries."""
    on = on or timezone.localdate()
    in_post = EmploymentSpell.objects.active_on(on).filter(person=OuterRef("pk"))
    scoped = Person.objects.filter(org_access.person_scope(membership)).filter(Exists(in_post))
    matching = scoped
    for term in query.split():
        matching = matching.filter(
            Q(given_name__icontains=term) | Q(family_name__icontains=term) | Q(staff_id__iexact=term)
        )
    if not query.strip() and team_ids:
        in_team = EmploymentSpell.objects.active_on(on).filter(person=OuterRef("pk"), team_id__in=team_ids)
        matching = matching.filter(Exists(in_team))
    order = ("family_name", "given_name", "staff_id", "pk")
    fields = ("pk", "given_name", "family_name", "staff_id", "organisation_id")
    people = list(matching.order_by(*order).only(*fields)[:PERSON_CHOICES_MAX])
    total = len(people) if len(people) < PERSON_CHOICES_MAX else matching.count()
    if include is not None and all(p.pk != include for p in people):
        people += list(scoped.filter(pk=include).only(*fields))
        people.sort(key=lambda p: (p.family_name, p.given_name, p.staff_id, p.pk))
    return people, total


_POST = rows.Columns("person_id", "team_id", "role_id", "role_name", "afc_band")


def _posts_sql(people: int) -> str:
    spell = functools.partial(rows.column, EmploymentSpell)
    columns = _POST.sql(
        {
            "person_id": spell("person"),
            "team_id": spell("team"),
            "role_id": spell("role"),
            "role_name": rows.column(SupportRole, "name"),
            "afc_band": spell("afc_band"),
        }
    )
    active = active_on_sql(spell("start_date"), spell("end_date"))
    return (
        f"SELECT {columns} FROM {rows.table(EmploymentSpell)} LEFT OUTER JOIN {rows.table(SupportRole)} "  # noqa: S608
        f"ON {rows.column(SupportRole, 'id')} = {spell('role')} "
        f"WHERE {active} AND {spell('person')} IN ({', '.join(['%s'] * people)}) "
        # The model's order (person, start) would join the person for their name: start date alone gives the
        # same order per person.
        f"ORDER BY {spell('start_date')}, {spell('id')}"
    )


def posts_by_person(person_ids: Iterable[int], on: dt.date) -> tuple[dict[int, list[Post]], dict[int, str]]:
    """Each person's posts on the day (`EmploymentSpell.objects.active_on(on)`), and the names of their roles;
    hand-written (the API's check reads them on every call)."""
    people = list(person_ids)
    posts: dict[int, list[Post]] = defaultdict(list)
    role_names: dict[int, str] = {}
    if not people:
        return posts, role_names
    day = connection.ops.adapt_datefield_value(on)
    # The check's one person: written once and kept; other sizes written each time (not to fill the cache).
    sql = rows.statement(
        ("delegation_posts", len(people)), lambda: _posts_sql(len(people)), keep=len(people) == 1
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [day, day, *people])
        found = cursor.fetchall()
    person_at, team_at, role_at, name_at, band_at = (
        _POST[name] for name in ("person_id", "team_id", "role_id", "role_name", "afc_band")
    )
    for row in found:
        role_id = row[role_at]
        posts[row[person_at]].append(Post(team_id=row[team_at], role_id=role_id, band=row[band_at]))
        if role_id:
            role_names[role_id] = row[name_at]
    return posts, role_names
