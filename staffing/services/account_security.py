"""Account security: ending sessions, and the audit trail of logins, MFA and admin changes.

Logins, MFA changes and the admin site are allauth's and Django's code, so what they do is
recorded from their signals (connected in `staffing.apps`): auditing is not domain work, and a
signal is the one place that sees every login path. Role and company changes end the person's
sessions from a signal too, so that no writer (the admin, a shell, a future page) can forget it.
"""

from __future__ import annotations

from typing import Any, cast

from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
from django.http import HttpRequest
from django.utils import timezone

from staffing.base.audit import audit_record
from staffing.models import User

# Fields whose change on a user ends every session they have.
SESSION_ENDING_FIELDS = ("role", "is_staff", "is_superuser", "is_active")


def user_sessions_end(*, user: User, by: User | None, reason: str) -> None:
    """End every session `user` has, this one included, at its next request."""
    now = timezone.now()
    User.objects.filter(pk=user.pk).update(sessions_ended_at=now)
    user.sessions_ended_at = now
    audit_record(actor=by, action="account.sessions_ended", target=user, data={"reason": reason})


def _client_ip(request: HttpRequest | None) -> str:
    return request.META.get("REMOTE_ADDR", "") if request is not None else ""


def login_failed_record(*, request: HttpRequest | None, email: str) -> None:
    """A wrong password (or unknown email): recorded against the account when there is one."""
    user = User.objects.filter(email__iexact=email).first() if email else None
    audit_record(
        actor=None,
        action="account.login_failed",
        target=user or User(pk=None),
        data={"email": email[:254], "ip": _client_ip(request)},
    )


def login_limited_record(*, request: HttpRequest | None, email: str) -> None:
    """Too many failed attempts: logins for this email (or from this address) wait a while."""
    user = User.objects.filter(email__iexact=email).first() if email else None
    audit_record(
        actor=None,
        action="account.login_rate_limited",
        target=user or User(pk=None),
        data={"email": email[:254], "ip": _client_ip(request)},
    )


def on_user_logged_in(sender, request, user, **kwargs) -> None:
    # Imported here: staffing.security (middleware) imports this module's audit helpers.
    from staffing.security import session_start

    if request is not None and hasattr(request, "session"):
        session_start(session=request.session)
    audit_record(actor=user, action="account.login", target=user, data={"ip": _client_ip(request)})


def on_user_logged_out(sender, request, user, **kwargs) -> None:
    # An erased person is logged out after their row is gone: nothing to record against.
    if user is not None and User.objects.filter(pk=user.pk).exists():
        audit_record(actor=user, action="account.logout", target=user)


def _mfa_event(action: str):
    def receiver(sender, request=None, user=None, authenticator=None, **kwargs) -> None:
        data: dict[str, Any] = {
            "type": getattr(authenticator, "type", ""),
            "ip": _client_ip(request),
        }
        audit_record(actor=user, action=action, target=user, data=data)

    return receiver


on_authenticator_added = _mfa_event("mfa.added")
on_authenticator_removed = _mfa_event("mfa.removed")
on_authenticator_reset = _mfa_event("mfa.recovery_codes_reset")
on_mfa_failed = _mfa_event("mfa.failed")


def on_password_changed(sender, request, user, **kwargs) -> None:
    audit_record(actor=user, action="account.password_changed", target=user)


def on_password_reset(sender, request, user, **kwargs) -> None:
    audit_record(actor=user, action="account.password_reset", target=user)


def on_admin_change(sender, instance: LogEntry, created: bool, **kwargs) -> None:
    """Every add, change and delete made in the admin site, in the audit log."""
    if not created:
        return
    action = {ADDITION: "added", CHANGE: "changed", DELETION: "deleted"}
    content_type: Any = instance.content_type
    audit_record(
        actor=cast(User, instance.user),
        action=f"admin.{action.get(instance.action_flag, 'changed')}",
        target=instance,
        data={
            "object_type": content_type.model if instance.content_type_id else "",
            "object_id": str(instance.object_id or ""),
            "object": instance.object_repr,
            "change": instance.get_change_message(),
        },
    )


def on_user_pre_save(sender, instance: User, update_fields=None, **kwargs) -> None:
    """Remember whether a role, staff flag or the like changes: sessions end after the save."""
    instance._end_sessions = False  # type: ignore[attr-defined]  # read by on_user_post_save
    if instance.pk is None or (update_fields and not set(update_fields) & {*SESSION_ENDING_FIELDS}):
        return
    before = User.objects.filter(pk=instance.pk).values(*SESSION_ENDING_FIELDS).first()
    if before is None:
        return
    instance._end_sessions = any(  # type: ignore[attr-defined]
        before[field] != getattr(instance, field) for field in SESSION_ENDING_FIELDS
    )


def on_user_post_save(sender, instance: User, created: bool, **kwargs) -> None:
    if getattr(instance, "_end_sessions", False):
        instance._end_sessions = False  # type: ignore[attr-defined]
        user_sessions_end(user=instance, by=None, reason="role_changed")


def on_membership_changed(sender, instance, **kwargs) -> None:
    """A client manager joins, leaves or moves company: their sessions end."""
    user = User.objects.filter(pk=instance.user_id).first()
    if user is not None and not kwargs.get("created", False):
        user_sessions_end(user=user, by=None, reason="company_changed")
