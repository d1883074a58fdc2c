from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector, SearchVectorField
from django.db import models
from django.db.models import Q
from django.db.models.functions import Now
from django.utils import timezone
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext_lazy as _

from candidates.availability import FULL_WEEK, cells_from_mask
from candidates.languages import CEFRLevel, Language
from candidates.scales import AREA_ANCHORS, area_label
from staffing.base.phones import PhoneNumberField


class Skill(models.Model):
    """One entry of the small skill taxonomy (till work, phone service, complaint handling...)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name_en = models.CharField(_("name (English)"), max_length=100)
    name_fi = models.CharField(_("name (Finnish)"), max_length=100)
    name_sv = models.CharField(_("name (Swedish)"), max_length=100, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("skill")
        verbose_name_plural = _("skills")

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        lang = (get_language() or "fi")[:2]
        return getattr(self, f"name_{lang}", "") or self.name_en

    @classmethod
    def names_by_id(cls) -> dict[int, str]:
        """Every skill's name in the active language, for rendering explanations."""
        return {skill.pk: skill.name for skill in cls.objects.all()}


class CandidateQuerySet(models.QuerySet):
    def listed(self) -> CandidateQuerySet:
        """Everyone a recruiter can find: not erased, not merged into someone else."""
        return self.exclude(status__in=(Candidate.Status.ERASED, Candidate.Status.MERGED))

    def matchable(self) -> CandidateQuerySet:
        return self.filter(status=Candidate.Status.ACTIVE, matching_consent=True)

    def speaking(self, language: str, level: int) -> CandidateQuerySet:
        return self.filter(languages__language=language, languages__level__gte=level)

    def touch(self) -> int:
        """Mark these people's matching data as changed, so every worker reloads them before its
        next match (`staffing.services.pool`). Call it inside the same transaction from every
        service that changes something the engine reads: the profile's allow-listed fields,
        availability, dates off, languages, skills, assessments, placements and client marks.
        Returns the number of rows touched."""
        return self.update(updated_at=Now())


class Candidate(models.Model):
    """A salesperson or service agent in the agency's pool.

    Only the fields named in the matching engine's allow-list are ever used for ranking; names,
    contact details and the free-text introduction never are.
    """

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        INACTIVE = "inactive", _("Inactive")
        ERASED = "erased", _("Erased")
        # Merged into another row of the same person (`merged_into`); holds nothing any more.
        MERGED = "merged", _("Merged")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="candidate",
        verbose_name=_("user"),
    )
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    email = models.EmailField(_("email"), blank=True)
    phone = PhoneNumberField(_("phone"), max_length=32, blank=True)
    postal_code = models.CharField(_("home postal code"), max_length=5, blank=True)
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    max_travel_km = models.PositiveSmallIntegerField(_("will travel (km)"), default=20)
    works_retail = models.BooleanField(_("retail store work"), default=True)
    works_office = models.BooleanField(_("office / contact centre work"), default=False)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE
    )
    matching_consent = models.BooleanField(_("consents to matching"), default=False)
    # Mirrors an active "presentation" Consent (kept by candidates.services.consent): without it
    # no client is shown the person before a placement with them.
    presentation_consent = models.BooleanField(
        _("consents to being presented to clients"), default=False
    )
    availability = models.PositiveIntegerField(
        _("weekly availability"),
        default=0,
        help_text=_("Bit mask: weekday × (morning, day, evening)."),
    )
    availability_confirmed_at = models.DateTimeField(
        _("availability confirmed"), null=True, blank=True
    )
    introduction = models.TextField(_("introduction"), blank=True)
    # Set on the person merged away (candidates.services.duplicates): the row they became.
    merged_into = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("merged into"),
    )
    # The import that brought the person in (candidates.services.imports), if any.
    imported_from = models.ForeignKey(
        "candidates.CandidateImport",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="candidates",
        verbose_name=_("imported from"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    # The pool search's full-text columns (candidates.services.search), kept by PostgreSQL
    # itself from the row: `simple` for names, contact details and words as written, `finnish`
    # for the introduction's inflected words. Each has a GIN index.
    search_simple = models.GeneratedField(
        expression=SearchVector(
            "first_name", "last_name", "email", "phone", "introduction", config="simple"
        ),
        output_field=SearchVectorField(),
        db_persist=True,
        verbose_name=_("search words"),
    )
    search_finnish = models.GeneratedField(
        expression=SearchVector("introduction", config="finnish"),
        output_field=SearchVectorField(),
        db_persist=True,
        verbose_name=_("search words (Finnish)"),
    )
    # Bumped by every service that changes matching data; the worker's pool catches up on it.
    updated_at = models.DateTimeField(_("updated"), default=timezone.now, db_index=True)

    objects = CandidateQuerySet.as_manager()

    class Meta:
        ordering = ["last_name", "first_name", "id"]
        verbose_name = _("candidate")
        verbose_name_plural = _("candidates")
        constraints = [
            models.CheckConstraint(
                condition=Q(availability__lte=FULL_WEEK), name="candidate_availability_21_bits"
            ),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True, longitude__isnull=True)
                | Q(latitude__gte=-90, latitude__lte=90, longitude__gte=-180, longitude__lte=180),
                name="candidate_coordinates_valid",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "matching_consent"]),
            GinIndex(fields=["search_simple"], name="candidate_search_simple"),
            GinIndex(fields=["search_finnish"], name="candidate_search_finnish"),
            # The pool search sorted by name: read in order, stopping at the page's end.
            models.Index(fields=["last_name", "first_name", "id"], name="candidate_name_order"),
        ]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    def shown_to_client(self, *, placed: bool) -> dict[str, str]:
        """The name and contact details a client manager may see: the first name only, until
        the person is placed with them; then the full name and phone too."""
        if not placed:
            return {"first_name": self.first_name, "full_name": "", "phone": ""}
        return {"first_name": self.first_name, "full_name": self.full_name, "phone": self.phone}

    @property
    def availability_cells(self) -> set[tuple[int, int]]:
        return cells_from_mask(self.availability)

    def availability_to_reconfirm(self, now: dt.datetime | None = None) -> bool:
        """Whether to ask "is your availability still right?": only about availability the
        person has entered (a brand-new person is asked to fill the grid instead)."""
        return self.availability != 0 and self.availability_is_stale(now)

    def availability_is_stale(self, now: dt.datetime | None = None) -> bool:
        if self.availability_confirmed_at is None:
            return True
        age = (now or timezone.now()) - self.availability_confirmed_at
        return age > dt.timedelta(days=settings.AVAILABILITY_STALE_DAYS)


class CandidateLanguage(models.Model):
    candidate = models.ForeignKey(
        Candidate, on_delete=models.CASCADE, related_name="languages", verbose_name=_("candidate")
    )
    language = models.CharField(_("language"), max_length=2, choices=Language.choices)
    level = models.PositiveSmallIntegerField(_("level"), choices=CEFRLevel.choices)

    class Meta:
        ordering = ["-level", "language"]
        verbose_name = _("language skill")
        verbose_name_plural = _("language skills")
        # The pool search's "speaks Swedish at C1 or better": an index-only range read.
        indexes = [
            models.Index(
                fields=["language", "level", "candidate"], name="cand_lang_language_level"
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["candidate", "language"], name="candidate_language_once"
            ),
            models.CheckConstraint(condition=Q(level__gte=1, level__lte=6), name="cand_lang_cefr"),
        ]

    def __str__(self) -> str:
        return f"{self.get_language_display()} {self.get_level_display()}"


class SkillLevel(models.IntegerChoices):
    BASIC = 1, _("Basic")
    GOOD = 2, _("Good")
    EXPERT = 3, _("Expert")


class CandidateSkill(models.Model):
    candidate = models.ForeignKey(
        Candidate, on_delete=models.CASCADE, related_name="skills", verbose_name=_("candidate")
    )
    skill = models.ForeignKey(
        Skill, on_delete=models.CASCADE, related_name="+", verbose_name=_("skill")
    )
    level = models.PositiveSmallIntegerField(
        _("level"), choices=SkillLevel.choices, default=SkillLevel.GOOD
    )

    class Meta:
        verbose_name = _("candidate skill")
        verbose_name_plural = _("candidate skills")
        constraints = [
            models.UniqueConstraint(fields=["candidate", "skill"], name="candidate_skill_once"),
            models.CheckConstraint(condition=Q(level__gte=1, level__lte=3), name="skill_level_1_3"),
        ]

    def __str__(self) -> str:
        return f"{self.skill} ({self.get_level_display()})"


class DateOff(models.Model):
    candidate = models.ForeignKey(
        Candidate, on_delete=models.CASCADE, related_name="dates_off", verbose_name=_("candidate")
    )
    date = models.DateField(_("date"))

    class Meta:
        ordering = ["date"]
        verbose_name = _("date off")
        verbose_name_plural = _("dates off")
        constraints = [
            models.UniqueConstraint(fields=["candidate", "date"], name="date_off_once"),
        ]

    def __str__(self) -> str:
        return str(self.date)


class Assessment(models.Model):
    """A recruiter's structured assessment of a person's customer encounter, 1–5 per area.

    Each area is rated on an anchored scale (`candidates.scales.AREA_ANCHORS`). The engine reads
    the latest assessment's service attitude, friendliness (the `communication` column) and
    sales, and a language check's verified level, which replaces the self-assessed one.
    """

    class Kind(models.TextChoices):
        INTERVIEW = "interview", _("Interview")
        ROLE_PLAY = "role_play", _("Role play with an upset customer")
        TELEPHONE = "telephone", _("Telephone manner (contact centre)")
        SALES = "sales", _("Sales without pushiness")
        LANGUAGE_CHECK = "language_check", _("Language check")

    candidate = models.ForeignKey(
        Candidate, on_delete=models.CASCADE, related_name="assessments", verbose_name=_("candidate")
    )
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("assessed by"),
    )
    kind = models.CharField(
        _("type of assessment"), max_length=20, choices=Kind.choices, default=Kind.INTERVIEW
    )
    assessed_at = models.DateTimeField(_("assessed"), default=timezone.now)
    # Rated in every assessment but a language check, which may rate only the language: a
    # check's absent ratings never replace an interview's (matching reads the latest rated one).
    service_attitude = models.PositiveSmallIntegerField(
        _("service attitude"), null=True, blank=True
    )
    communication = models.PositiveSmallIntegerField(
        _("friendliness and courtesy"), null=True, blank=True
    )
    sales = models.PositiveSmallIntegerField(_("sales"), null=True, blank=True)
    calming = models.PositiveSmallIntegerField(
        _("calming an upset customer"), null=True, blank=True
    )
    problem_solving = models.PositiveSmallIntegerField(_("problem solving"), null=True, blank=True)
    telephone_manner = models.PositiveSmallIntegerField(
        _("telephone or chat manner"), null=True, blank=True
    )
    evenings_weekends_confirmed = models.BooleanField(
        _("evenings and weekends confirmed"), default=False
    )
    language_checked = models.CharField(
        _("language checked"), max_length=2, choices=Language.choices, blank=True
    )
    language_level_verified = models.PositiveSmallIntegerField(
        _("verified level"), choices=CEFRLevel.choices, null=True, blank=True
    )
    summary = models.TextField(_("summary for the candidate"), blank=True)
    notes = models.TextField(_("internal notes"), blank=True)

    class Meta:
        ordering = ["-assessed_at"]
        get_latest_by = "assessed_at"
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")
        # The pool search's latest verified level per person for a language.
        indexes = [
            models.Index(
                fields=["language_checked", "candidate", "-assessed_at", "-id"],
                condition=Q(language_level_verified__isnull=False),
                name="assessment_language_verified",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(service_attitude__gte=1, service_attitude__lte=5)
                    & Q(communication__gte=1, communication__lte=5)
                    & Q(sales__gte=1, sales__lte=5)
                )
                | (
                    Q(kind="language_check")
                    & Q(service_attitude__isnull=True)
                    & Q(communication__isnull=True)
                    & Q(sales__isnull=True)
                ),
                name="assessment_scores_1_5",
            ),
            models.CheckConstraint(
                condition=(Q(calming__isnull=True) | Q(calming__gte=1, calming__lte=5))
                & (
                    Q(problem_solving__isnull=True)
                    | Q(problem_solving__gte=1, problem_solving__lte=5)
                )
                & (
                    Q(telephone_manner__isnull=True)
                    | Q(telephone_manner__gte=1, telephone_manner__lte=5)
                ),
                name="assessment_optional_scores_1_5",
            ),
            models.CheckConstraint(
                condition=Q(language_level_verified__isnull=True) | ~Q(language_checked=""),
                name="assessment_verified_level_names_language",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.candidate} {self.assessed_at:%Y-%m-%d}"

    @property
    def average(self) -> float | None:
        """The mean of the three ratings every assessment but a language check gives."""
        scores = (self.service_attitude, self.communication, self.sales)
        if any(score is None for score in scores):
            return None
        return sum(scores) / 3  # type: ignore[arg-type]

    def ratings(self) -> list[tuple[str, str, int]]:
        """(area code, area name, score) of every area rated, in the scales' order."""
        out = []
        for area in AREA_ANCHORS:
            score = getattr(self, area)
            if score is not None:
                out.append((area, area_label(area), score))
        return out


class ConsentPurpose(models.TextChoices):
    MATCHING = "matching", _("Automatic matching to work")
    PRESENTATION = "presentation", _("Being presented to clients")
    RETENTION = "retention", _("Keeping my profile in the pool after inactivity")


# What each consent lets us do, in plain words: shown next to its (unticked) box at sign-up, on
# the privacy page and in the export.
CONSENT_PURPOSE_DESCRIPTIONS = {
    ConsentPurpose.MATCHING: _(
        "A computer program compares your profile with staffing requests and ranks you among "
        "the people who fit, so that you can be offered work. Without it you are never offered "
        "work automatically; a recruiter can still contact you."
    ),
    ConsentPurpose.PRESENTATION: _(
        "When a recruiter puts you forward, the client sees your first name, languages, "
        "relevant skills, a band of your ratings and why you fit. Without it no client sees you "
        "before you have accepted a job with them."
    ),
}


def consent_purpose_description(purpose: str) -> str:
    """What a consent lets us do, in plain words and the active language; the retention one
    names the period of the setting RETENTION_POOL_DAYS."""
    if purpose == ConsentPurpose.RETENTION:
        days = settings.RETENTION_POOL_DAYS
        return ngettext(
            "If you do not log in for %(days)d day, your profile stays in the pool and you can "
            "still be offered work. Without it your profile is paused until you come back.",
            "If you do not log in for %(days)d days, your profile stays in the pool and you can "
            "still be offered work. Without it your profile is paused until you come back.",
            days,
        ) % {"days": days}
    return str(CONSENT_PURPOSE_DESCRIPTIONS[ConsentPurpose(purpose)])


class Consent(models.Model):
    """One consent for one purpose, with the version of the privacy notice the person saw.

    A withdrawn consent keeps its row (with `withdrawn_at`): it is the record of what was agreed.
    Giving it again adds a new row.
    """

    candidate = models.ForeignKey(
        Candidate, on_delete=models.CASCADE, related_name="consents", verbose_name=_("candidate")
    )
    purpose = models.CharField(_("purpose"), max_length=20, choices=ConsentPurpose.choices)
    version = models.CharField(_("privacy notice version"), max_length=20)
    given_at = models.DateTimeField(_("given"), default=timezone.now)
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)

    class Meta:
        ordering = ["purpose", "-given_at"]
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        constraints = [
            models.UniqueConstraint(
                fields=["candidate", "purpose"],
                condition=Q(withdrawn_at__isnull=True),
                name="consent_one_active_per_purpose",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} v{self.version}"

    @property
    def is_active(self) -> bool:
        return self.withdrawn_at is None


class WorkExperience(models.Model):
    """A past job the person lists; shown to recruiters, never read by the matching engine."""

    candidate = models.ForeignKey(
        Candidate, on_delete=models.CASCADE, related_name="experiences", verbose_name=_("candidate")
    )
    employer = models.CharField(_("employer"), max_length=120)
    title = models.CharField(_("job title"), max_length=120)
    started = models.DateField(_("from"))
    ended = models.DateField(_("until"), null=True, blank=True)
    description = models.TextField(_("what you did"), blank=True, max_length=1000)
    # Searched by the pool search (see Candidate.search_simple).
    search_simple = models.GeneratedField(
        expression=SearchVector("title", "employer", "description", config="simple"),
        output_field=SearchVectorField(),
        db_persist=True,
        verbose_name=_("search words"),
    )
    search_finnish = models.GeneratedField(
        expression=SearchVector("title", "description", config="finnish"),
        output_field=SearchVectorField(),
        db_persist=True,
        verbose_name=_("search words (Finnish)"),
    )

    class Meta:
        ordering = ["-started"]
        verbose_name = _("work experience")
        verbose_name_plural = _("work experience")
        constraints = [
            models.CheckConstraint(
                condition=Q(ended__isnull=True) | Q(ended__gte=models.F("started")),
                name="experience_ends_after_start",
            ),
        ]
        indexes = [
            GinIndex(fields=["search_simple"], name="experience_search_simple"),
            GinIndex(fields=["search_finnish"], name="experience_search_finnish"),
        ]

    def __str__(self) -> str:
        return f"{self.title}, {self.employer}"


class CandidateCV(models.Model):
    """The person's CV, stored privately under a generated name (see candidates.services.cv)."""

    candidate = models.OneToOneField(
        Candidate, on_delete=models.CASCADE, related_name="cv", verbose_name=_("candidate")
    )
    stored_name = models.CharField(_("stored file"), max_length=80, unique=True)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveIntegerField(_("size (bytes)"))
    uploaded_at = models.DateTimeField(_("uploaded"), default=timezone.now)

    class Meta:
        verbose_name = _("CV")
        verbose_name_plural = _("CVs")

    def __str__(self) -> str:
        return self.original_name


class Invitation(models.Model):
    """A recruiter's invitation: the candidate row exists already; the signed link is single-use."""

    candidate = models.ForeignKey(
        Candidate, on_delete=models.CASCADE, related_name="invitations", verbose_name=_("candidate")
    )
    email = models.EmailField(_("email"))
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
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")

    def __str__(self) -> str:
        return self.email


class CandidateActivity(models.Model):
    """Reminder and retention bookkeeping, one row per person.

    Kept apart from `Candidate` so that the matching engine's row stays narrow, and so that a
    reminder is sent at most once per staleness period (the claim is a conditional UPDATE here).
    """

    candidate = models.OneToOneField(
        Candidate, on_delete=models.CASCADE, related_name="activity", verbose_name=_("candidate")
    )
    last_seen_at = models.DateTimeField(_("last active"), default=timezone.now, db_index=True)
    availability_reminded_at = models.DateTimeField(
        _("availability reminder sent"), null=True, blank=True
    )
    renewal_requested_at = models.DateTimeField(_("renewal request sent"), null=True, blank=True)

    class Meta:
        verbose_name = _("candidate activity")
        verbose_name_plural = _("candidate activity")

    def __str__(self) -> str:
        return f"{self.candidate_id} {self.last_seen_at:%Y-%m-%d}"


class StatementRequestQuerySet(models.QuerySet):
    def open(self) -> StatementRequestQuerySet:
        return self.filter(answered_at__isnull=True)


class StatementRequest(models.Model):
    """The person asks for a written statement of one of their assessments; a recruiter writes
    it, and the person reads it on "How others see me"."""

    assessment = models.ForeignKey(
        Assessment,
        on_delete=models.CASCADE,
        related_name="statement_requests",
        verbose_name=_("assessment"),
    )
    candidate = models.ForeignKey(
        Candidate,
        on_delete=models.CASCADE,
        related_name="statement_requests",
        verbose_name=_("candidate"),
    )
    requested_at = models.DateTimeField(_("requested"), default=timezone.now)
    statement = models.TextField(_("statement"), blank=True, max_length=4000)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("written by"),
    )
    answered_at = models.DateTimeField(_("written"), null=True, blank=True)

    objects = StatementRequestQuerySet.as_manager()

    class Meta:
        ordering = ["-requested_at", "-id"]
        verbose_name = _("statement request")
        verbose_name_plural = _("statement requests")
        constraints = [
            models.UniqueConstraint(
                fields=["assessment"],
                condition=Q(answered_at__isnull=True),
                name="statement_one_open_per_assessment",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.assessment_id} {self.requested_at:%Y-%m-%d}"


class RetentionRun(models.Model):
    """One run of the retention sweep and what it did, for the agency admin's retention page.

    Holds counts only: who was paused, asked or erased is in the audit log (ids, no values).
    """

    ran_at = models.DateTimeField(_("ran"), default=timezone.now, db_index=True)
    paused = models.PositiveIntegerField(_("left the pool"), default=0)
    asked = models.PositiveIntegerField(_("renewal requests sent"), default=0)
    erased = models.PositiveIntegerField(_("erased"), default=0)
    # Empty while the run is going on, and for a run that was killed before its end.
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        ordering = ["-ran_at", "-id"]
        verbose_name = _("retention run")
        verbose_name_plural = _("retention runs")

    def __str__(self) -> str:
        return f"{self.ran_at:%Y-%m-%d %H:%M} {self.paused}/{self.asked}/{self.erased}"


class CandidateNote(models.Model):
    """A recruiter's free-text note on a person: for people only, never read by matching (the
    engine's loader selects allow-listed columns and no table of notes)."""

    candidate = models.ForeignKey(
        Candidate, on_delete=models.CASCADE, related_name="notes", verbose_name=_("candidate")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("written by"),
    )
    text = models.TextField(_("note"), max_length=4000)
    created_at = models.DateTimeField(_("written"), default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("note")
        verbose_name_plural = _("notes")

    def __str__(self) -> str:
        return f"{self.candidate_id} {self.created_at:%Y-%m-%d}"


class CandidateTaskQuerySet(models.QuerySet):
    def open(self) -> CandidateTaskQuerySet:
        return self.filter(done_at__isnull=True)

    def due_by(self, day: dt.date) -> CandidateTaskQuerySet:
        """Open tasks due on `day` or earlier (overdue ones too)."""
        return self.open().filter(due_on__lte=day)


class CandidateTask(models.Model):
    """Something a recruiter has to do about a person by a date ("call back Tuesday")."""

    candidate = models.ForeignKey(
        Candidate, on_delete=models.CASCADE, related_name="tasks", verbose_name=_("candidate")
    )
    title = models.CharField(_("task"), max_length=200)
    due_on = models.DateField(_("due"))
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="candidate_tasks",
        verbose_name=_("assigned to"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    done_at = models.DateTimeField(_("done"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("done by"),
    )

    objects = CandidateTaskQuerySet.as_manager()

    class Meta:
        ordering = ["due_on", "id"]
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        indexes = [models.Index(fields=["assignee", "due_on"], name="task_assignee_due")]

    def __str__(self) -> str:
        return f"{self.due_on} {self.candidate_id}"

    def is_overdue(self, today: dt.date | None = None) -> bool:
        return self.done_at is None and self.due_on < (today or timezone.localdate())


class SavedSearch(models.Model):
    """A recruiter's named Candidates-page query (its URL parameters); a periodic check emails
    the owner about people who start to match it (`candidates.services.saved_searches`)."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="saved_searches",
        verbose_name=_("owner"),
    )
    name = models.CharField(_("name"), max_length=100)
    query = models.CharField(_("query"), max_length=2000, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    checked_at = models.DateTimeField(_("last checked"), null=True, blank=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("saved search")
        verbose_name_plural = _("saved searches")
        constraints = [
            models.UniqueConstraint(fields=["owner", "name"], name="saved_search_name_once"),
        ]

    def __str__(self) -> str:
        return self.name


class SavedSearchMatch(models.Model):
    """A person a saved search has already matched: the owner is told about each person once."""

    search = models.ForeignKey(
        SavedSearch, on_delete=models.CASCADE, related_name="matches", verbose_name=_("search")
    )
    candidate = models.ForeignKey(
        Candidate,
        on_delete=models.CASCADE,
        related_name="saved_search_matches",
        verbose_name=_("candidate"),
    )
    first_matched_at = models.DateTimeField(_("first matched"), default=timezone.now)

    class Meta:
        verbose_name = _("saved search match")
        verbose_name_plural = _("saved search matches")
        constraints = [
            models.UniqueConstraint(fields=["search", "candidate"], name="saved_search_match_once"),
        ]

    def __str__(self) -> str:
        return f"{self.search_id}: {self.candidate_id}"


class CandidateImport(models.Model):
    """One uploaded CSV or XLSX file of people, from upload to the background import.

    The file's cells stay here (`rows`) only until the import is done; the people then live in
    their own rows. Row errors are stored as codes and rendered in the reader's language.
    """

    class Status(models.TextChoices):
        UPLOADED = "uploaded", _("Columns to check")
        QUEUED = "queued", _("Waiting to start")
        RUNNING = "running", _("Importing")
        DONE = "done", _("Imported")
        FAILED = "failed", _("Failed")

    class Failure(models.TextChoices):
        INVALID_ROWS = "invalid_rows", _("Some rows have errors; nothing was imported.")
        NOTHING_VALID = "nothing_valid", _("No row could be imported; nothing was imported.")
        CRASHED = "crashed", _("The import stopped on an error; nothing was imported.")

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("imported by"),
    )
    created_at = models.DateTimeField(_("uploaded"), auto_now_add=True)
    file_name = models.CharField(_("file name"), max_length=200)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.UPLOADED
    )
    headers = models.JSONField(_("column headings"), default=list, blank=True)
    rows = models.JSONField(_("rows"), default=list, blank=True)
    mapping = models.JSONField(_("columns"), default=dict, blank=True)
    skip_invalid = models.BooleanField(_("leave out rows with errors"), default=False)
    invite = models.BooleanField(_("invite the people imported"), default=False)
    language = models.CharField(
        _("language of the invitations"),
        max_length=8,
        choices=settings.LANGUAGES,
        default=settings.LANGUAGE_CODE,
    )
    base_url = models.CharField(_("site address"), max_length=200, blank=True)
    total = models.PositiveIntegerField(_("rows"), default=0)
    created_count = models.PositiveIntegerField(_("people imported"), default=0)
    skipped_count = models.PositiveIntegerField(_("rows left out"), default=0)
    failure = models.CharField(_("failure"), max_length=20, choices=Failure.choices, blank=True)
    queued_at = models.DateTimeField(_("queued"), null=True, blank=True, db_index=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("candidate import")
        verbose_name_plural = _("candidate imports")

    def __str__(self) -> str:
        return f"{self.file_name} {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def in_progress(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)
