"""Who may see and do what with credentials.

A worker sees, shares and downloads their own certificates and competence records; nobody else shares them.
Organisation admins see the credentials their organisation issued to its staff and revoke them; alliance admins
those their alliance issued. Both rotate their issuer's key. An assessor who may sign off for a worker confirms
that worker's recognised prior assessment. The public verification pages and status lists ask no rule: what they
show is what the holder chose to share (a credential or record shown only while `shared`)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from cultivate.accounts.models import Membership, Role
from cultivate.core.access import RuleSet, predicate
from cultivate.core.scopes import scope
from cultivate.organisations import access as org_access
from cultivate.organisations.models import Person
from cultivate.portfolio import access as portfolio_access

from .models import CompetenceRecord, ImportedRecord, IssuedCredential, IssuerKey, RecognisedAssessment


def _own_person_id(membership: Membership | None) -> int | None:
    return membership.user.person_id if membership is not None else None


@scope(IssuedCredential)
def credential_scope(membership: Membership | None) -> Q:
    """The holder's own credentials; an organisation admin's organisation's; an alliance admin's alliance's."""
    if membership is None:
        return Q(pk__in=[])
    found = Q(person_id=_own_person_id(membership)) if _own_person_id(membership) else Q(pk__in=[])
    if membership.role == Role.ORG_ADMIN and membership.organisation_id is not None:
        found |= Q(key__organisation_id=membership.organisation_id)
    if membership.role == Role.ALLIANCE_ADMIN and membership.alliance_id is not None:
        found |= Q(key__alliance_id=membership.alliance_id)
    return found


@scope(CompetenceRecord)
def record_scope(membership: Membership | None) -> Q:
    """A worker's own competence records only."""
    person_id = _own_person_id(membership)
    return Q(person_id=person_id) if person_id else Q(pk__in=[])


@scope(ImportedRecord)
def imported_scope(membership: Membership | None) -> Q:
    person_id = _own_person_id(membership)
    return Q(person_id=person_id) if person_id else Q(pk__in=[])


@scope(RecognisedAssessment)
def recognition_scope(membership: Membership | None) -> Q:
    """Recognised prior assessment of the people the role may see (their own; an assessor's teams')."""
    return Q(person__in=Person.objects.filter(org_access.person_scope(membership)).values("pk"))


@predicate
def is_holder(membership: Membership | None, credential: IssuedCredential | None) -> bool:
    return credential is not None and portfolio_access.is_self(membership, credential.person)


@predicate
def can_view_credential(membership: Membership | None, credential: IssuedCredential | None) -> bool:
    if credential is None or membership is None:
        return False
    return bool(is_holder(membership, credential)) or bool(can_revoke(membership, credential))


@predicate
def can_revoke(membership: Membership | None, credential: IssuedCredential | None) -> bool:
    """The issuer's admins: the issuing organisation's, or the issuing alliance's."""
    if credential is None:
        return False
    return bool(administers_issuer(membership, credential.key))


@predicate
def administers_issuer(membership: Membership | None, key: IssuerKey | None) -> bool:
    if membership is None or key is None:
        return False
    if key.organisation_id is not None:
        return membership.role == Role.ORG_ADMIN and membership.organisation_id == key.organisation_id
    return membership.role == Role.ALLIANCE_ADMIN and membership.alliance_id == key.alliance_id


@predicate
def is_issuer_admin(membership: Membership | None) -> bool:
    return membership is not None and membership.role in (Role.ORG_ADMIN, Role.ALLIANCE_ADMIN)


@predicate
def owns_record(membership: Membership | None, record: CompetenceRecord | ImportedRecord | None) -> bool:
    return record is not None and portfolio_access.is_self(membership, record.person)


@predicate
def can_bring_record(membership: Membership | None, person: Person | None) -> bool:
    """Bringing in a record from another employer: the worker, into their own portfolio."""
    return bool(portfolio_access.can_edit_portfolio(membership, person))


@predicate
def can_confirm(membership: Membership | None, item: RecognisedAssessment | None) -> bool:
    return item is not None and bool(portfolio_access.can_sign_off(membership, item.person))


RULES = RuleSet()
RULES.add("view_credential", can_view_credential)
RULES.add("share_credential", is_holder)
RULES.add("revoke_credential", can_revoke)
RULES.add("manage_issuer", administers_issuer)
RULES.add("work_with_issuing", is_issuer_admin)
RULES.add("view_own_credentials", org_access.has_own_record)
RULES.add("share_record", owns_record)
RULES.add("bring_record", can_bring_record)
RULES.add("review_recognitions", org_access.is_assessor)
RULES.add("confirm_recognition", can_confirm)


def may(membership: Membership | None, action: str, obj: Any = None) -> bool:
    return RULES.test(action, membership, obj)
