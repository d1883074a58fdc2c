"""The base layer's models: who logs in (users and roles), who did what (audit), and the email
outbox. They keep the `staffing` app label and tables they always had; no app of ours is imported
here (foreign keys name their models as strings).
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.utils.translation import gettext_lazy as _


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra):
        extra.update(is_staff=True, is_superuser=True, role=User.Role.ADMIN)
        return self._create_user(email, password, **extra)


class User(AbstractUser):
    """Everyone who logs in. The role decides the home page and what the person may see."""

    class Role(models.TextChoices):
        RECRUITER = "recruiter", _("Recruiter")
        CLIENT_MANAGER = "client_manager", _("Client manager")
        CANDIDATE = "candidate", _("Candidate")
        ADMIN = "admin", _("Agency admin")

    username = None  # type: ignore[assignment]  # people log in with their email
    email = models.EmailField(_("email address"), unique=True)
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.CANDIDATE)
    language = models.CharField(_("language"), max_length=8, default="fi")
    # Every session that began before this time ends at its next request ("log out everywhere",
    # a changed role or company): staffing/security.py.
    sessions_ended_at = models.DateTimeField(_("sessions ended at"), null=True, blank=True)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    objects: ClassVar[UserManager] = UserManager()  # type: ignore[assignment]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.email

    @property
    def is_recruiter(self) -> bool:
        return self.role in (self.Role.RECRUITER, self.Role.ADMIN)

    @property
    def is_client_manager(self) -> bool:
        return self.role == self.Role.CLIENT_MANAGER

    @property
    def is_candidate(self) -> bool:
        return self.role == self.Role.CANDIDATE


class AuditEvent(models.Model):
    """Who did what to which object, and when. Every state-changing service writes one.

    A request's timeline, as the client sees it, is built from the events that name the request.
    """

    # Views of a person's data by someone else (written by `personal_data_view_record` only):
    # the person sees them in "Who has viewed my profile"; they change nothing else. The
    # person's own look at their data is not a view by anyone else and is not logged.
    VIEW_ACTIONS = ("candidate.viewed", "candidate.viewed_by_client", "candidate.cv_downloaded")

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("actor"),
    )
    action = models.CharField(_("action"), max_length=64, db_index=True)
    target_type = models.CharField(_("object type"), max_length=64)
    target_id = models.BigIntegerField(_("object id"), null=True, blank=True)
    staffing_request = models.ForeignKey(
        "staffing.StaffingRequest",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="events",
        verbose_name=_("staffing request"),
    )
    candidate = models.ForeignKey(
        "candidates.Candidate",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="audit_events",
        verbose_name=_("candidate"),
    )
    data = models.JSONField(_("data"), default=dict, blank=True)
    created_at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        indexes = [models.Index(fields=["target_type", "target_id"])]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action} {self.target_type}#{self.target_id}"


class OutboundEmail(models.Model):
    """One email to send, rendered in the recipient's language when it was queued.

    The unique `key` names the event (say, "offer:12:1"), so queuing the same event twice stores
    one row; a worker claims the row with a conditional update before sending, so each email goes
    out at most once however many times its task runs.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    key = models.CharField(_("key"), max_length=120, unique=True)
    to = models.EmailField(_("to"))
    language = models.CharField(_("language"), max_length=8)
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("body"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    created_at = models.DateTimeField(_("queued"), auto_now_add=True, db_index=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    # When a worker claimed the row to send it; a row still `sending` long after this was left
    # by a worker that died mid-send, and the sweep reclaims it.
    claimed_at = models.DateTimeField(_("claimed"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("outbound email")
        verbose_name_plural = _("outbound emails")

    def __str__(self) -> str:
        return f"{self.key} → {self.to} ({self.status})"
