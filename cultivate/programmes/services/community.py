"""The cohort community: announcements by leads, one discussion thread and shared resources, moderated by the
lead (a hidden post keeps its reason)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils import timezone

from cultivate.accounts.models import User
from cultivate.core.audit import AuditContext, audit

from .. import access
from ..audit_actions import ProgrammeAction
from ..models import Cohort, Post, PostKind
from ._common import acting, owner_organisation, require


def post_add(*, ctx: AuditContext, cohort: Cohort, kind: str, body: str = "", link: str = "") -> Post:
    require(ctx, "view_community", cohort)
    if kind == PostKind.ANNOUNCEMENT and not access.may(acting(ctx), "manage_cohort", cohort):
        raise ValidationError("Only the cohort's leads make announcements.")
    if kind not in PostKind.values:
        raise ValidationError({"kind": "Choose what you are posting."})
    if kind == PostKind.RESOURCE and not link.strip():
        raise ValidationError({"link": "Enter the resource's web address, starting https://"})
    if kind != PostKind.RESOURCE and not body.strip():
        raise ValidationError({"body": "Enter your message"})
    post = Post(
        cohort=cohort,
        author=ctx.actor if isinstance(ctx.actor, User) else None,
        kind=kind,
        body=body.strip(),
        link=link.strip(),
    )
    post.full_clean()
    post.save()
    return post


def post_hide(*, ctx: AuditContext, post: Post, reason: str) -> Post:
    require(ctx, "manage_cohort", post.cohort)
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "Give the reason for hiding the post"})
    post.hidden_at = timezone.now()
    post.hidden_by = ctx.actor if isinstance(ctx.actor, User) else None
    post.hidden_reason = reason[:300]
    post.full_clean()
    post.save()
    audit(
        ProgrammeAction.POST_HIDDEN,
        ctx=ctx,
        obj=post,
        organisation=owner_organisation(post.cohort.programme),
        reason=post.hidden_reason,
    )
    return post
