"""Sign-in, roles, password, API tokens and user management pages. Thin: forms validate, services write."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from cultivate.accounts.access import acting_membership as _membership
from cultivate.accounts.audit_actions import AccountsAction
from cultivate.core.access import deny, object_or_deny
from cultivate.core.audit import AuditContext, audit
from cultivate.core.forms import add_service_errors
from cultivate.organisations import selectors as org_selectors

from . import access, forms, invitations, selectors, services, throttle
from .middleware import SESSION_KEY
from .models import Membership, Role, User


def _user(request: HttpRequest) -> User:
    """The signed-in user (every view that calls this is behind login_required)."""
    user = request.user
    if not isinstance(user, User):
        raise PermissionError("Sign-in required.")
    return user


def _sign_in_refusal(lock: throttle.Lock | None) -> str:
    """The same words whether or not the address has an account."""
    if lock is None:
        return "Enter a correct email address and password."
    minutes = max(1, math.ceil((lock.until - timezone.now()).total_seconds() / 60))
    wait = f"Try again in {minutes} minute{'s' if minutes != 1 else ''}"
    if lock.scope == throttle.CLIENT:
        return f"There have been too many failed attempts to sign in from this device or network. {wait}."
    return (
        f"There have been too many failed attempts to sign in with this email address. {wait}, "
        "or reset your password to unlock sign-in now."
    )


def sign_in(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("site:home")
    form = forms.SignInForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        result = services.sign_in_attempt(
            ctx=AuditContext.from_request(request),
            email=form.cleaned_data["email"],
            password=form.cleaned_data["password"],
        )
        if result.user is not None:
            # The service checked the password itself (see sign_in_attempt), so name the backend for the session.
            login(request, result.user, backend="django.contrib.auth.backends.ModelBackend")
            audit(AccountsAction.SIGN_IN, actor=result.user, ctx=AuditContext.from_request(request))
            next_url = request.POST.get("next") or request.GET.get("next") or ""
            if url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure()):
                return redirect(next_url)
            return redirect("site:home")
        form.add_error(None, _sign_in_refusal(result.lock))
    return render(
        request,
        "accounts/sign_in.jinja",
        {
            "page_title": "Sign in",
            "form": form,
            "next": request.GET.get("next", ""),
            "form_has_errors": bool(form.errors),
        },
    )


def sign_out(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        if request.user.is_authenticated:
            audit(AccountsAction.SIGN_OUT, ctx=AuditContext.from_request(request))
        logout(request)
        messages.success(request, "You have signed out.")
        return redirect("accounts:login")
    return render(request, "accounts/sign_out.jinja", {"page_title": "Sign out"})


@login_required
def switch_role(request: HttpRequest) -> HttpResponse:
    memberships = request.memberships  # type: ignore[attr-defined]
    form = forms.RoleChoiceForm(
        request.POST if request.method == "POST" else None,
        memberships=memberships,
        initial={"membership": getattr(_membership(request), "pk", None)},
    )
    if request.method == "POST" and form.is_valid():
        request.session[SESSION_KEY] = form.cleaned_data["membership"]
        chosen = next(m for m in memberships if m.pk == form.cleaned_data["membership"])
        request.membership = chosen  # type: ignore[attr-defined]
        audit(
            AccountsAction.ROLE_SWITCHED,
            ctx=AuditContext.from_request(request),
            obj=chosen,
            organisation=chosen.organisation,
        )
        messages.success(request, f"You are now acting as {chosen}.")
        return redirect("site:home")
    return render(
        request,
        "accounts/switch_role.jinja",
        {"page_title": "Change role", "form": form, "form_has_errors": bool(form.errors)},
    )


@login_required
def account(request: HttpRequest) -> HttpResponse:
    tokens = selectors.tokens_of(user=_user(request))
    return render(request, "accounts/account.jinja", {"page_title": "Your account", "tokens": tokens})


@login_required
def token_create(request: HttpRequest) -> HttpResponse:
    memberships = request.memberships  # type: ignore[attr-defined]
    form = forms.ApiTokenForm(
        request.POST if request.method == "POST" else None,
        memberships=memberships,
        initial={"membership": getattr(_membership(request), "pk", None)},
    )
    if request.method == "POST" and form.is_valid():
        membership = next(m for m in memberships if m.pk == form.cleaned_data["membership"])
        expires = timezone.now() + dt.timedelta(days=form.cleaned_data["expires_in_days"])
        token, secret = services.api_token_create(
            user=_user(request),
            membership=membership,
            name=form.cleaned_data["name"],
            expires_at=expires,
            ctx=AuditContext.from_request(request),
        )
        return render(
            request,
            "accounts/token_created.jinja",
            {"page_title": "API token created", "token": token, "secret": secret},
        )
    return render(
        request,
        "accounts/token_form.jinja",
        {"page_title": "Create an API token", "form": form, "form_has_errors": bool(form.errors)},
    )


@login_required
@require_POST
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = object_or_deny(request, selectors.tokens_of(user=_user(request)), {"pk": pk}, what="API token")
    services.api_token_revoke(token=token, by=_user(request), ctx=AuditContext.from_request(request))
    messages.success(request, f"Token ‘{token.name}’ revoked.")
    return redirect("accounts:account")


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.jinja"
    form_class = forms.PasswordChangeForm
    success_url = reverse_lazy("accounts:account")
    extra_context = {"page_title": "Change your password"}

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        audit(AccountsAction.PASSWORD_CHANGED, ctx=AuditContext.from_request(self.request))
        messages.success(self.request, "Your password has been changed.")
        return response


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "accounts/password_reset.jinja"
    form_class = forms.PasswordResetForm
    email_template_name = "accounts/email/password_reset.txt"
    subject_template_name = "accounts/email/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")
    extra_context = {"page_title": "Reset your password"}

    def form_valid(self, form: Any) -> HttpResponse:
        audit(
            AccountsAction.PASSWORD_RESET_REQUESTED,
            ctx=AuditContext.from_request(self.request),
            actor_email=form.cleaned_data["email"],
        )
        return super().form_valid(form)


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.jinja"
    extra_context = {"page_title": "Check your email"}


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.jinja"
    form_class = forms.SetPasswordForm
    success_url = reverse_lazy("accounts:password_reset_complete")
    extra_context = {"page_title": "Choose a new password"}

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        # The reset link acts for the account it resets; nobody is signed in.
        ctx = AuditContext.from_request(self.request).acting_as(form.user)
        audit(AccountsAction.PASSWORD_CHANGED, ctx=ctx, via="reset link")
        services.sign_in_unlock(user=form.user, ctx=ctx)
        return response


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.jinja"
    extra_context = {"page_title": "Password changed"}


# --- user management (organisation and alliance admins) ---------------------------------------------------


def _require_admin(request: HttpRequest) -> Membership:
    membership = _membership(request)
    if membership is None or not access.may(membership, "manage_users"):
        deny(request, reason="Only admins may manage users.")
    return membership


def _managed_user(request: HttpRequest, membership: Membership, pk: int) -> User:
    user = selectors.user_for_admin(membership, pk)
    if user is None:
        deny(request, reason="User outside the admin's scope.", hide_existence=True)
    return user


def _grantable_roles(membership: Membership) -> list[tuple[str, str]]:
    if membership.role == Role.ALLIANCE_ADMIN:
        return [(r.value, r.label) for r in (Role.ORG_ADMIN, Role.ALLIANCE_ADMIN)]
    return [(r.value, r.label) for r in Role if r != Role.ALLIANCE_ADMIN]


@login_required
def users(request: HttpRequest) -> HttpResponse:
    membership = _require_admin(request)
    q = request.GET.get("q", "").strip()
    qs = selectors.users_matching(membership, q).prefetch_related("memberships")
    return render(request, "accounts/users.jinja", {"page_title": "Users", "users": qs[:200], "q": q})


@login_required
def user_create(request: HttpRequest) -> HttpResponse:
    membership = _require_admin(request)
    # The staff record is found by a search that narrows the choice (no 500-entry list), without JavaScript.
    person_q = request.GET.get("person_q", "").strip()
    people: list[tuple[int, str]] = []
    matching = 0
    if membership.organisation is not None and person_q:
        found, matching = org_selectors.people_to_invite(membership, person_q)
        people = [(p.pk, f"{p.display_name} ({p.staff_id})") for p in found]
    form = forms.UserForm(request.POST if request.method == "POST" else None, people=people)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        person = org_selectors.visible_person(membership, data["person"]) if data.get("person") else None
        user = services.user_create(
            email=data["email"],
            full_name=data["full_name"],
            person=person,
            home_organisation=membership.organisation,
            home_alliance=membership.alliance,
            registration_body=data["registration_body"],
            registration_pin=data["registration_pin"],
            created_by=_user(request),
            ctx=AuditContext.from_request(request),
        )
        invitations.invitation_send(admin=membership, user=user, ctx=AuditContext.from_request(request))
        messages.success(
            request,
            f"Account created for {user}, and an invitation to set a password emailed. Now give them a role.",
        )
        return redirect("accounts:user", pk=user.pk)
    return render(
        request,
        "accounts/user_form.jinja",
        {
            "page_title": "Add a user",
            "form": form,
            "form_has_errors": bool(form.errors),
            "person_q": person_q,
            "person_matching": matching,
            "person_search": membership.organisation is not None,
        },
    )


@login_required
def user_detail(request: HttpRequest, pk: int) -> HttpResponse:
    membership = _require_admin(request)
    user = _managed_user(request, membership, pk)
    memberships = selectors.memberships_of(membership, user)
    return render(
        request,
        "accounts/user_detail.jinja",
        {"page_title": user.full_name, "managed": user, "roles": memberships},
    )


@login_required
def user_edit(request: HttpRequest, pk: int) -> HttpResponse:
    membership = _require_admin(request)
    user = _managed_user(request, membership, pk)
    form = forms.UserForm(
        request.POST if request.method == "POST" else None,
        editing=True,
        initial={
            "full_name": user.full_name,
            "registration_body": user.registration_body,
            "registration_pin": user.registration_pin,
        },
    )
    if request.method == "POST" and form.is_valid():
        services.user_update(
            user=user,
            full_name=form.cleaned_data["full_name"],
            registration_body=form.cleaned_data["registration_body"],
            registration_pin=form.cleaned_data["registration_pin"],
            changed_by=_user(request),
            ctx=AuditContext.from_request(request),
        )
        messages.success(request, "Changes saved.")
        return redirect("accounts:user", pk=user.pk)
    return render(
        request,
        "accounts/user_form.jinja",
        {
            "page_title": f"Change {user.full_name}",
            "form": form,
            "managed": user,
            "form_has_errors": bool(form.errors),
        },
    )


@login_required
def membership_add(request: HttpRequest, pk: int) -> HttpResponse:
    membership = _require_admin(request)
    user = _managed_user(request, membership, pk)
    teams: list[tuple[int, str]] = []
    if membership.organisation is not None:
        teams = [(t.pk, t.name) for t in org_selectors.teams_of(membership.organisation)]
    organisations: list[tuple[int, str]] = []
    if membership.role == Role.ALLIANCE_ADMIN:
        organisations = [(o.pk, o.name) for o in org_selectors.organisations_visible_to(membership)]
    form = forms.MembershipForm(
        request.POST if request.method == "POST" else None,
        roles=_grantable_roles(membership),
        teams=teams,
        organisations=organisations,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        chosen_teams = org_selectors.visible_teams_among(membership, data.get("teams") or [])
        organisation = membership.organisation
        if membership.role == Role.ALLIANCE_ADMIN and data["role"] == Role.ORG_ADMIN:
            organisation = org_selectors.visible_organisation(membership, data["organisation"])
        target = Membership(
            user=user,
            role=data["role"],
            organisation=None if data["role"] == Role.ALLIANCE_ADMIN else organisation,
            alliance=membership.alliance if data["role"] == Role.ALLIANCE_ADMIN else None,
        )
        if not access.may(membership, "grant_membership", target):
            deny(request, reason="Role outside the admin's scope.", obj=user)
        try:
            services.membership_grant(
                user=user,
                role=data["role"],
                organisation=target.organisation,
                alliance=target.alliance,
                teams=chosen_teams,
                ends_on=data.get("ends_on"),
                granted_by=_user(request),
                ctx=AuditContext.from_request(request),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"{user} now has the role {dict(Role.choices)[data['role']]}.")
            return redirect("accounts:user", pk=user.pk)
    return render(
        request,
        "accounts/membership_form.jinja",
        {
            "page_title": f"Give {user.full_name} a role",
            "form": form,
            "managed": user,
            "form_has_errors": bool(form.errors),
        },
    )


@login_required
@require_POST
def membership_end(request: HttpRequest, pk: int, membership_pk: int) -> HttpResponse:
    membership = _require_admin(request)
    user = _managed_user(request, membership, pk)
    target = object_or_deny(
        request,
        selectors.memberships_of(membership, user),
        {"pk": membership_pk},
        what="role",
        visible=lambda found: access.may(membership, "grant_membership", found),
        audit_as=lambda _found: user,
        within=user,
    )
    services.membership_end(
        membership=target, ended_by=_user(request), ctx=AuditContext.from_request(request)
    )
    messages.success(request, f"Role ended: {target}.")
    return redirect("accounts:user", pk=user.pk)


@login_required
@require_POST
def user_deactivate(request: HttpRequest, pk: int) -> HttpResponse:
    membership = _require_admin(request)
    user = _managed_user(request, membership, pk)
    if user.pk == request.user.pk:
        messages.success(request, "You cannot deactivate your own account.")
        return redirect("accounts:user", pk=user.pk)
    services.user_deactivate(user=user, by=_user(request), ctx=AuditContext.from_request(request))
    messages.success(request, f"{user} can no longer sign in.")
    return redirect("accounts:user", pk=user.pk)


# --- invitations: accounts in bulk from staff records ------------------------------------------------------


@login_required
def users_invite(request: HttpRequest) -> HttpResponse:
    """Choose people in post without an account (narrowed by a search that works without JavaScript), a role
    and teams; each gets an account and an email inviting them to set a password."""
    membership = _require_admin(request)
    if membership.organisation is None:
        deny(request, reason="Invitations are sent by an organisation's admins.")
    q = request.GET.get("q", "").strip()
    people, matching = org_selectors.people_to_invite(membership, q)
    teams = org_selectors.organisation_teams_visible_to(membership, membership.organisation)
    form = forms.InviteForm(
        request.POST if request.method == "POST" else None,
        people=[
            (p.pk, f"{p.display_name} ({p.staff_id}){'' if p.email else ' – no email address'}")
            for p in people
        ],
        roles=[(str(role.value), str(role.label)) for role in invitations.BULK_ROLES],
        teams=[(team.pk, team.name) for team in teams.order_by("name")],
    )
    if request.method == "POST" and form.is_valid():
        chosen = set(form.cleaned_data["people"])
        report = invitations.users_invite(
            admin=membership,
            people=[p for p in people if p.pk in chosen],
            role=form.cleaned_data["role"],
            teams=org_selectors.visible_teams_among(membership, form.cleaned_data["teams"]),
            ctx=AuditContext.from_request(request),
        )
        invited = len(report.invited)
        messages.success(
            request,
            f"{invited} {'person' if invited == 1 else 'people'} invited by email to set a password."
            + "".join(f" {person.display_name} {why}." for person, why in report.skipped),
        )
        return redirect("accounts:users_invite")
    return render(
        request,
        "accounts/users_invite.jinja",
        {
            "page_title": "Invite people",
            "form": form,
            "form_has_errors": bool(form.errors),
            "q": q,
            "shown": len(people),
            "matching": matching,
            "breadcrumbs": [{"text": "Users", "href": reverse("accounts:users")}],
        },
    )


@login_required
@require_POST
def invitation_resend(request: HttpRequest, pk: int) -> HttpResponse:
    membership = _require_admin(request)
    user = _managed_user(request, membership, pk)
    if user.has_usable_password():
        messages.error(request, f"{user.full_name} has already set a password.")
    else:
        invitations.invitation_send(admin=membership, user=user, ctx=AuditContext.from_request(request))
        messages.success(request, f"A new invitation has been sent to {user.email}.")
    return redirect("accounts:user", pk=user.pk)


class InvitationAcceptView(PasswordResetConfirmView):
    """The invitation link: the person chooses their first password, then signs in."""

    template_name = "accounts/invitation_accept.jinja"
    token_generator = invitations.invitation_tokens
    reset_url_token = "set-password"  # noqa: S105 - the URL segment Django puts in place of the token
    extra_context = {"page_title": "Set your password"}

    def form_valid(self, form: Any) -> HttpResponse:
        response = auth_views.PasswordResetConfirmView.form_valid(self, form)
        ctx = AuditContext.from_request(self.request).acting_as(form.user)
        audit(AccountsAction.INVITATION_ACCEPTED, ctx=ctx, obj=form.user)
        messages.success(self.request, "Your password is set. Sign in with your email address and it.")
        return response

    def get_success_url(self) -> str:
        return reverse("accounts:login")
