from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.signals import m2m_changed
from django.dispatch import receiver
from django.utils.translation import gettext_lazy as _

from candidates.languages import CEFRLevel, Language
from staffing.base.phones import PhoneNumberField


class RoleType(models.TextChoices):
    RETAIL = "retail", _("Retail store")
    OFFICE = "office", _("Office / contact centre")


class ClientCompany(models.Model):
    name = models.CharField(_("name"), max_length=200)
    business_id = models.CharField(_("business ID"), max_length=9, unique=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    # Contract terms. An empty response window means the agency's default (settings).
    offer_response_urgent_minutes = models.PositiveSmallIntegerField(
        _("offer response window, urgent (minutes)"),
        null=True,
        blank=True,
        help_text=_("How long a person has to answer an offer. Empty: the agency's default."),
    )
    offer_response_planned_minutes = models.PositiveSmallIntegerField(
        _("offer response window, planned (minutes)"),
        null=True,
        blank=True,
        help_text=_("How long a person has to answer an offer. Empty: the agency's default."),
    )
    cancellation_notice_hours = models.PositiveSmallIntegerField(
        _("cancellation notice (hours)"),
        default=24,
        help_text=_("A cancellation later than this before the shift counts as late."),
    )
    may_decline_presented = models.BooleanField(
        _("may decline presented people"),
        default=True,
        help_text=_("Whether the client may turn down a person the agency presents."),
    )
    responsible_recruiter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="responsible_for_clients",
        verbose_name=_("responsible recruiter"),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("client company")
        verbose_name_plural = _("client companies")

    def __str__(self) -> str:
        return self.name


class ClientMembership(models.Model):
    """A client manager belongs to exactly one client company."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="client_membership",
        verbose_name=_("user"),
    )
    company = models.ForeignKey(
        ClientCompany,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("company"),
    )
    phone = PhoneNumberField(_("phone"), max_length=32, blank=True)
    # The sites whose requests this manager sees and orders for; none chosen means all of them.
    sites = models.ManyToManyField(
        "Site", blank=True, related_name="memberships", verbose_name=_("sites")
    )

    class Meta:
        verbose_name = _("client manager membership")
        verbose_name_plural = _("client manager memberships")

    def __str__(self) -> str:
        return f"{self.user} @ {self.company}"

    def names_sites(self) -> bool:
        """Whether this membership names some sites (else it covers all its company's):
        asked once per instance (a request's user asks it several times), forgotten when
        its sites change (`_sites_changed`)."""
        names = self.__dict__.get("_names_sites")
        if names is None:
            names = self.__dict__["_names_sites"] = self.sites.exists()
        return names


@receiver(m2m_changed, sender=ClientMembership.sites.through)
def _sites_changed(sender, instance, **kwargs) -> None:
    if isinstance(instance, ClientMembership):
        instance.__dict__.pop("_names_sites", None)


class Site(models.Model):
    company = models.ForeignKey(
        ClientCompany, on_delete=models.CASCADE, related_name="sites", verbose_name=_("company")
    )
    name = models.CharField(_("name"), max_length=200)
    street_address = models.CharField(_("street address"), max_length=200)
    postal_code = models.CharField(_("postal code"), max_length=5)
    city = models.CharField(_("city"), max_length=100)
    latitude = models.FloatField(_("latitude"))
    longitude = models.FloatField(_("longitude"))

    class Meta:
        ordering = ["company__name", "name"]
        verbose_name = _("site")
        verbose_name_plural = _("sites")
        constraints = [
            models.UniqueConstraint(fields=["company", "name"], name="site_unique_name"),
            models.CheckConstraint(
                condition=Q(latitude__gte=-90, latitude__lte=90)
                & Q(longitude__gte=-180, longitude__lte=180),
                name="site_coordinates_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.company.name} – {self.name}"

    @property
    def address(self) -> str:
        return f"{self.street_address}, {self.postal_code} {self.city}"

    @property
    def map_url(self) -> str:
        """The site on OpenStreetMap: a link for people to open, never an embedded map."""
        query = urlencode({"mlat": f"{self.latitude:.5f}", "mlon": f"{self.longitude:.5f}"})
        return (
            f"https://www.openstreetmap.org/?{query}"
            f"#map=17/{self.latitude:.5f}/{self.longitude:.5f}"
        )


class ServiceFocus(models.TextChoices):
    SERVICE = "service", _("Customer service")
    SALES = "sales", _("Sales")
    BOTH = "both", _("Sales and service")


class ServiceProfile(models.Model):
    """What a client values in the people who serve its customers at one kind of workplace."""

    company = models.ForeignKey(
        ClientCompany,
        on_delete=models.CASCADE,
        related_name="service_profiles",
        verbose_name=_("company"),
    )
    site = models.ForeignKey(
        Site, on_delete=models.CASCADE, related_name="service_profiles", verbose_name=_("site")
    )
    name = models.CharField(_("name"), max_length=200)
    role_type = models.CharField(_("workplace type"), max_length=10, choices=RoleType.choices)
    focus = models.CharField(
        _("focus"), max_length=10, choices=ServiceFocus.choices, default=ServiceFocus.SERVICE
    )
    description = models.TextField(_("what the client values"), blank=True)
    valued_skills = models.ManyToManyField(
        "candidates.Skill", blank=True, related_name="+", verbose_name=_("valued skills")
    )
    weights = models.JSONField(
        _("matching weights"),
        default=dict,
        blank=True,
        help_text=_('Overrides of the default soft-factor weights, e.g. {"distance": 0.5}.'),
    )
    # The number of the latest saved weights (ProfileRulesVersion); 0: never edited there.
    weights_version = models.PositiveIntegerField(_("weights version"), default=0)
    # What the people offered the work read in the offer (page and email).
    pay_min = models.DecimalField(
        _("hourly pay from (€)"),
        max_digits=6,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    pay_max = models.DecimalField(
        _("hourly pay up to (€)"),
        max_digits=6,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    contact_name = models.CharField(_("contact person"), max_length=100, blank=True)
    contact_phone = PhoneNumberField(_("contact person's phone"), max_length=32, blank=True)
    instructions = models.TextField(
        _("instructions for the people coming"),
        blank=True,
        max_length=2000,
        help_text=_("What to bring and where to report, e.g. “Black trousers; staff door.”"),
    )
    is_active = models.BooleanField(_("active"), default=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["company__name", "name"]
        verbose_name = _("service profile")
        verbose_name_plural = _("service profiles")
        constraints = [
            models.UniqueConstraint(fields=["company", "name"], name="profile_unique_name"),
            models.CheckConstraint(
                condition=Q(pay_min__isnull=True)
                | Q(pay_max__isnull=True)
                | Q(pay_min__lte=F("pay_max")),
                name="profile_pay_range_ordered",
            ),
            models.CheckConstraint(
                condition=(Q(pay_min__isnull=True) | Q(pay_min__gte=0))
                & (Q(pay_max__isnull=True) | Q(pay_max__gte=0)),
                name="profile_pay_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.company.name} – {self.name}"

    def clean(self) -> None:
        super().clean()
        if self.pay_min is not None and self.pay_max is not None and self.pay_min > self.pay_max:
            raise ValidationError(
                {"pay_max": _("The highest hourly pay cannot be below the lowest.")}
            )


class ProfileLanguage(models.Model):
    profile = models.ForeignKey(
        ServiceProfile,
        on_delete=models.CASCADE,
        related_name="languages",
        verbose_name=_("service profile"),
    )
    language = models.CharField(_("language"), max_length=2, choices=Language.choices)
    level = models.PositiveSmallIntegerField(_("level"), choices=CEFRLevel.choices)

    class Meta:
        verbose_name = _("required language")
        verbose_name_plural = _("required languages")
        constraints = [
            models.UniqueConstraint(fields=["profile", "language"], name="profile_language_once"),
            models.CheckConstraint(
                condition=Q(level__gte=1, level__lte=6), name="profile_lang_cefr"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_language_display()} {self.get_level_display()}"


class TypicalShift(models.Model):
    """A shift the client usually needs; benches are built for these."""

    profile = models.ForeignKey(
        ServiceProfile,
        on_delete=models.CASCADE,
        related_name="typical_shifts",
        verbose_name=_("service profile"),
    )
    weekday = models.PositiveSmallIntegerField(
        _("weekday"),
        choices=[
            (i, name)
            for i, name in enumerate(
                [
                    _("Monday"),
                    _("Tuesday"),
                    _("Wednesday"),
                    _("Thursday"),
                    _("Friday"),
                    _("Saturday"),
                    _("Sunday"),
                ]
            )
        ],
    )
    start_time = models.TimeField(_("starts"))
    end_time = models.TimeField(_("ends"))

    class Meta:
        ordering = ["weekday", "start_time"]
        verbose_name = _("typical shift")
        verbose_name_plural = _("typical shifts")
        constraints = [
            models.CheckConstraint(condition=Q(weekday__lte=6), name="typical_shift_weekday"),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.start_time:%H:%M}–{self.end_time:%H:%M}"


class CandidateMark(models.Model):
    """A client's favourite, or a person the client does not want back (a hard constraint)."""

    class Kind(models.TextChoices):
        FAVOURITE = "favourite", _("Favourite")
        DO_NOT_RETURN = "do_not_return", _("Do not return")

    company = models.ForeignKey(
        ClientCompany,
        on_delete=models.CASCADE,
        related_name="candidate_marks",
        verbose_name=_("company"),
    )
    candidate = models.ForeignKey(
        "candidates.Candidate",
        on_delete=models.CASCADE,
        related_name="client_marks",
        verbose_name=_("candidate"),
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("candidate mark")
        verbose_name_plural = _("candidate marks")
        constraints = [
            models.UniqueConstraint(fields=["company", "candidate"], name="one_mark_per_client"),
        ]

    def __str__(self) -> str:
        return f"{self.company}: {self.candidate_id} {self.get_kind_display()}"


class ProfileRulesVersion(models.Model):
    """One saved set of a profile's matching weights. Shortlists and benches name the version
    they were ranked under, so an older ranking can still be read and replayed."""

    profile = models.ForeignKey(
        ServiceProfile,
        on_delete=models.CASCADE,
        related_name="rules_versions",
        verbose_name=_("service profile"),
    )
    number = models.PositiveIntegerField(_("number"))
    weights = models.JSONField(_("matching weights"), default=dict)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("saved by"),
    )
    created_at = models.DateTimeField(_("saved"), auto_now_add=True)

    class Meta:
        ordering = ["profile", "-number"]
        verbose_name = _("profile rules version")
        verbose_name_plural = _("profile rules versions")
        constraints = [
            models.UniqueConstraint(fields=["profile", "number"], name="profile_rules_once"),
        ]

    def __str__(self) -> str:
        return f"{self.profile} v{self.number}"


class ClientInvitation(models.Model):
    """An invitation to a client manager to join their company; the signed link is single-use."""

    company = models.ForeignKey(
        ClientCompany,
        on_delete=models.CASCADE,
        related_name="invitations",
        verbose_name=_("company"),
    )
    email = models.EmailField(_("email"))
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    sites = models.ManyToManyField(Site, blank=True, related_name="+", verbose_name=_("sites"))
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("invited by"),
    )
    created_at = models.DateTimeField(_("sent"), auto_now_add=True)
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("client invitation")
        verbose_name_plural = _("client invitations")

    def __str__(self) -> str:
        return f"{self.email} → {self.company}"
