"""The notifications page: what the service has told the user (sign-off requests, decisions, reminders), with
links to act on them, and marking them read."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from . import selectors
from .access import object_or_deny
from .audit import AuditContext
from .forms import NotificationSettingsForm
from .notify import notification_email_choice, notification_settings_update, notifications_mark_read

PAGE_SIZE = 50


def _page_number(request: HttpRequest) -> int:
    try:
        return max(1, int(request.GET.get("page", "1")))
    except ValueError:
        return 1


@login_required
def notifications(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.notifications_for(request.user), PAGE_SIZE).get_page(_page_number(request))
    return render(
        request,
        "core/notifications.jinja",
        {
            "page_title": "Notifications",
            "page": page,
            "unread": selectors.unread_count(request.user),
            "breadcrumbs": [{"text": "Home", "href": "/"}],
        },
    )


@login_required
def notification_open(request: HttpRequest, pk: int) -> HttpResponseBase:
    """Follow a notification's link, marking it read. Only the user's own notifications, and only links
    within the service."""
    notification = object_or_deny(
        request, selectors.notifications_for(request.user), {"pk": pk}, what="notification"
    )
    assert isinstance(request.user, get_user_model())
    notifications_mark_read(user=request.user, ids=[notification.pk])
    target = notification.url
    if target and target.startswith("/") and url_has_allowed_host_and_scheme(target, allowed_hosts=None):
        return redirect(target)
    return redirect("core:notifications")


@login_required
@require_POST
def notifications_read(request: HttpRequest) -> HttpResponseBase:
    """Mark one notification read (`id`), or all of them."""
    assert isinstance(request.user, get_user_model())
    one = request.POST.get("id", "")
    count = notifications_mark_read(user=request.user, ids=[int(one)] if one.isdigit() else None)
    if not one:
        messages.success(request, f"{count} notification{'s' if count != 1 else ''} marked as read.")
    return redirect("core:notifications")


@login_required
def notification_settings(request: HttpRequest) -> HttpResponse:
    """Choose how notifications are emailed: each one, a daily summary, or none."""
    assert isinstance(request.user, get_user_model())
    data = request.POST if request.method == "POST" else None  # an empty POST is still an answer
    form = NotificationSettingsForm(data, initial={"email": notification_email_choice(request.user)})
    if request.method == "POST" and form.is_valid():
        notification_settings_update(
            user=request.user, email=form.cleaned_data["email"], ctx=AuditContext.from_request(request)
        )
        messages.success(request, "Your notification settings have been saved.")
        return redirect("core:notifications")
    return render(
        request,
        "core/notification_settings.jinja",
        {
            "page_title": "Notification settings",
            "form": form,
            "form_has_errors": bool(form.errors),
            "breadcrumbs": [
                {"text": "Home", "href": "/"},
                {"text": "Notifications", "href": "/notifications/"},
            ],
        },
    )
