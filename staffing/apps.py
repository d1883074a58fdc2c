from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StaffingConfig(AppConfig):
    name = "staffing"
    verbose_name = _("Staffing")

    def ready(self) -> None:
        # Connects the Celery signal handlers for heartbeats, failed tasks and request ids.
        # Security (issue 16): the audit trail of logins, MFA and admin changes, and sessions
        # ended on a role or company change (staffing/services/account_security.py).
        from allauth.account import signals as account_signals
        from allauth.mfa import signals as mfa_signals
        from django.contrib.admin.models import LogEntry
        from django.contrib.auth import signals as auth_signals
        from django.db.models.signals import post_delete, post_save, pre_save

        from clients.models import ClientMembership
        from staffing import signals  # noqa: F401
        from staffing.base.language import on_user_logged_in as on_login_language
        from staffing.models import User
        from staffing.services import account_security as s

        auth_signals.user_logged_in.connect(s.on_user_logged_in, dispatch_uid="sec-login")
        auth_signals.user_logged_in.connect(on_login_language, dispatch_uid="login-language")
        auth_signals.user_logged_out.connect(s.on_user_logged_out, dispatch_uid="sec-logout")
        account_signals.password_changed.connect(s.on_password_changed, dispatch_uid="sec-pw")
        account_signals.password_reset.connect(s.on_password_reset, dispatch_uid="sec-reset")
        mfa_signals.authenticator_added.connect(s.on_authenticator_added, dispatch_uid="sec-ma")
        mfa_signals.authenticator_removed.connect(s.on_authenticator_removed, dispatch_uid="sec-mr")
        mfa_signals.authenticator_reset.connect(s.on_authenticator_reset, dispatch_uid="sec-mx")
        mfa_signals.authentication_failed.connect(s.on_mfa_failed, dispatch_uid="sec-mf")
        post_save.connect(s.on_admin_change, sender=LogEntry, dispatch_uid="sec-admin")
        pre_save.connect(s.on_user_pre_save, sender=User, dispatch_uid="sec-user-pre")
        post_save.connect(s.on_user_post_save, sender=User, dispatch_uid="sec-user-post")
        post_save.connect(s.on_membership_changed, sender=ClientMembership, dispatch_uid="sec-m1")
        post_delete.connect(s.on_membership_changed, sender=ClientMembership, dispatch_uid="sec-m2")
