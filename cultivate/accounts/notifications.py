"""How a user who never chose is emailed their notifications (registered with `core.notify` when the app is
ready). People who act on others' records (line managers, assessors, educators) get one summary a day: a
manager's team, or an assessor's queue, would otherwise fill their inbox with one email per notification. Everyone
else gets each notification as it happens: a support worker's are few and about their own work (a sign-off
returned, a decision), and an admin's about an import that failed. Anyone can change it on *Notification
settings*."""

from __future__ import annotations

from typing import Any

from cultivate.core.models import EmailChoice

from .models import Membership, Role

DIGEST_ROLES = frozenset({Role.LINE_MANAGER, Role.ASSESSOR, Role.EDUCATOR})


def default_email_choice(user: Any) -> EmailChoice:
    """A daily summary for a holder of any of DIGEST_ROLES, else each notification (one query)."""
    holds = Membership.objects.current().filter(user_id=user.pk, role__in=DIGEST_ROLES)
    return EmailChoice.DIGEST if holds.exists() else EmailChoice.EACH
