"""How the person looks to others: completeness, the fit card, and who has viewed them."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from candidates.models import Candidate, CandidateCV
from staffing.models import AuditEvent, User
from staffing.services.audit import audit_record

VIEW_ACTIONS = ("candidate.viewed", "candidate.cv_downloaded")


@dataclass(frozen=True)
class CompletenessItem:
    key: str
    label: Promise
    why: Promise
    done: bool
    url_name: str


def completeness(*, candidate: Candidate) -> list[CompletenessItem]:
    """What the profile has and lacks, each with why it matters for getting work."""
    has_cv = CandidateCV.objects.filter(candidate=candidate).exists()
    items = [
        (
            "phone",
            _("Phone number"),
            _("Recruiters call you about urgent shifts."),
            bool(candidate.phone),
            "candidate_profile",
        ),
        (
            "home",
            _("Home postal code"),
            _("Without it we cannot offer work within your travel distance."),
            candidate.latitude is not None,
            "candidate_profile",
        ),
        (
            "work_type",
            _("Kind of work"),
            _("We only offer the kinds of work you choose."),
            candidate.works_retail or candidate.works_office,
            "candidate_profile",
        ),
        (
            "languages",
            _("Languages"),
            _("Most work needs a language at a stated level."),
            candidate.languages.exists(),
            "candidate_languages",
        ),
        (
            "skills",
            _("Skills"),
            _("Skills clients ask for raise you in the ranking."),
            candidate.skills.exists(),
            "candidate_skills",
        ),
        (
            "availability",
            _("Weekly availability"),
            _("You are only offered shifts you are available for."),
            candidate.availability != 0,
            "candidate_availability",
        ),
        (
            "fresh",
            _("Availability confirmed lately"),
            _("Stale availability ranks lower."),
            not candidate.availability_is_stale(),
            "candidate_availability",
        ),
        (
            "experience",
            _("Work experience"),
            _("Helps recruiters see what you have done."),
            candidate.experiences.exists(),
            "candidate_experience",
        ),
        (
            "cv",
            _("CV"),
            _("Some clients want to see a CV before the first shift."),
            has_cv,
            "candidate_cv",
        ),
        (
            "consent",
            _("Consent to matching"),
            _("Without it you are never offered work automatically."),
            candidate.matching_consent,
            "candidate_privacy",
        ),
    ]
    return [CompletenessItem(*item) for item in items]


def completeness_percent(items: list[CompletenessItem]) -> int:
    return round(100 * sum(i.done for i in items) / len(items)) if items else 0


def fit_card(*, candidate: Candidate, placed: bool) -> dict:
    """What a client manager sees of the person, before and after a placement with them."""
    card = {
        "first_name": candidate.first_name,
        "languages": list(candidate.languages.all()),
        "skills": list(candidate.skills.select_related("skill")),
        "rating_band": rating_band(candidate=candidate),
    }
    if placed:
        card.update(
            full_name=candidate.full_name, phone=candidate.phone, has_cv=hasattr(candidate, "cv")
        )
    return card


def rating_band(*, candidate: Candidate) -> Promise:
    """A coarse band of client ratings; ratings are added by the feedback part when it exists."""
    return _("No ratings yet")


def profile_views(*, candidate: Candidate) -> QuerySet[AuditEvent]:
    """Who looked at the person's profile or CV, newest first (the person sees this log)."""
    return (
        AuditEvent.objects.filter(candidate=candidate, action__in=VIEW_ACTIONS)
        .select_related("actor")
        .order_by("-created_at")
    )


def profile_view_record(*, candidate: Candidate, viewer: User, page: str) -> AuditEvent:
    """Log that a recruiter or client manager viewed the person's profile (they see the log)."""
    return audit_record(
        actor=viewer,
        action="candidate.viewed",
        target=candidate,
        candidate_id=candidate.pk,
        data={"page": page, "role": viewer.role},
    )
