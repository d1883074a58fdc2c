from __future__ import annotations

from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.utils.translation import gettext_lazy as _


class UserManager(BaseUserManager):
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

    username = None
    email = models.EmailField(_("email address"), unique=True)
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.CANDIDATE)
    language = models.CharField(_("language"), max_length=8, default="fi")
    # Every session that began before this time ends at its next request ("log out everywhere",
    # a changed role or company): staffing/security.py.
    sessions_ended_at = models.DateTimeField(_("sessions ended at"), null=True, blank=True)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = UserManager()

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
