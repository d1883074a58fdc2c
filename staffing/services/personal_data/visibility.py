"""How the person looks to others: completeness, the fit card, and who has viewed them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from candidates.availability import WEEKDAY_NAMES, DayPart
from candidates.models import Candidate, CandidateCV
from staffing.base.audit import personal_data_view_record
from staffing.base.models import AuditEvent, User
from staffing.models import Offer, Placement, ReliabilityRecord, ServiceRating
from staffing.presenters import offer_reasons


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
    card: dict[str, Any] = {
        **candidate.shown_to_client(placed=placed),
        "languages": list(candidate.languages.all()),
        "skills": list(candidate.skills.select_related("skill")),
        "rating_band": ServiceRating.objects.band_for(candidate),
    }
    if placed:
        card["has_cv"] = hasattr(candidate, "cv")
    return card


def kudos(*, candidate: Candidate) -> list[ServiceRating]:
    """Clients' ratings of the person's service, newest first, with their comments."""
    return list(
        ServiceRating.objects.filter(candidate=candidate).select_related(
            "company", "placement__shift"
        )
    )


def reliability_records(*, candidate: Candidate) -> list[ReliabilityRecord]:
    """No-shows and late cancellations recorded against the person, with any contest and answer."""
    return list(
        ReliabilityRecord.objects.filter(candidate=candidate).select_related(
            "placement__request__company", "placement__shift"
        )
    )


def offers_explained(*, candidate: Candidate, limit: int = 20) -> list[tuple[Offer, list[str]]]:
    """The person's latest offers, each with the reasons they were offered it."""
    offers = (
        Offer.objects.filter(candidate=candidate)
        .select_related("request__company", "request__site", "shortlist_entry")
        .order_by("-sent_at", "-pk")[:limit]
    )
    return [
        (o, offer_reasons(o.shortlist_entry.explanation if o.shortlist_entry else {}))
        for o in offers
    ]


@dataclass(frozen=True)
class ProfileView:
    at: dt.datetime
    who: str
    what: str
    where: str = ""


SEEN_WORDING = {
    "profile": _("your profile"),
    "search": _("your name, email and postal code"),
    "summary": _("your first name, languages, skills and ratings band"),
    "contact": _("your name and phone number"),
    "cv": _("your CV"),
}
WHERE_WORDING = {
    "profile": _("on the agency's page about you"),
    "search": _("in the results of a search of the pool"),
    "summary": _("on the client's page of a staffing request"),
    "contact": _("on the client's page of a staffing request"),
    "cv": _("as a CV download"),
}


def profile_views(*, candidate: Candidate, limit: int = 50) -> list[ProfileView]:
    """Who was shown the person's data, when and what, newest first (the person sees this log)."""
    events = (
        AuditEvent.objects.filter(candidate=candidate, action__in=AuditEvent.VIEW_ACTIONS)
        .select_related("actor")
        .order_by("-created_at", "-id")[:limit]
    )
    return [
        ProfileView(event.created_at, _viewer(event), str(_seen(event)), str(_where(event)))
        for event in events
        if candidate.user_id is None or event.actor_id != candidate.user_id
    ]


def _viewer(event: AuditEvent) -> str:
    if event.data.get("role") == User.Role.CLIENT_MANAGER:
        company = event.data.get("company")
        if company:
            return gettext("A client manager at %(company)s") % {"company": company}
        return gettext("A client manager")
    if event.actor is not None:
        name = event.actor.get_full_name() or event.actor.email
        if event.actor.role == User.Role.ADMIN:
            return gettext("An agency admin, %(name)s") % {"name": name}
        return gettext("A recruiter, %(name)s") % {"name": name}
    return gettext("Someone at the agency")


def _seen(event: AuditEvent) -> Promise:
    # Older rows say "level" (clients) or nothing (recruiters) instead of "seen".
    fallback = "cv" if event.action == "candidate.cv_downloaded" else "profile"
    seen = event.data.get("seen") or event.data.get("level") or fallback
    return SEEN_WORDING.get(seen, SEEN_WORDING["profile"])


def _where(event: AuditEvent) -> Promise:
    fallback = "cv" if event.action == "candidate.cv_downloaded" else "profile"
    seen = event.data.get("seen") or event.data.get("level") or fallback
    return WHERE_WORDING.get(seen, WHERE_WORDING["profile"])


def profile_view_record(*, candidate: Candidate, viewer: User) -> AuditEvent | None:
    """Log that a recruiter viewed the person's whole profile (they see the log)."""
    return personal_data_view_record(
        viewer=viewer, candidate_id=candidate.pk, seen="profile", target=candidate
    )


def placements_with_feedback(*, candidate: Candidate, limit: int = 50) -> list[Placement]:
    """The person's placements, newest first, with the client's rating where there is one."""
    return list(
        Placement.objects.filter(candidate=candidate)
        .select_related("request__company", "request__site", "shift", "service_rating")
        .order_by("-shift__starts_at")[:limit]
    )


def candidate_timeline(*, candidate: Candidate, limit: int = 50) -> list[AuditEvent]:
    """What happened to the person's record, newest first, views of their data left out (they
    are listed under who viewed): the recruiter's activity timeline."""
    return list(
        AuditEvent.objects.filter(candidate=candidate)
        .exclude(action__in=AuditEvent.VIEW_ACTIONS)
        .select_related("actor")
        .order_by("-created_at", "-id")[:limit]
    )


def weekly_grid(*, candidate: Candidate) -> list[tuple[str, list[bool]]]:
    """(weekday name, available per day part) for the seven days of the person's weekly grid."""
    cells = candidate.availability_cells
    return [
        (str(name), [(day, part) in cells for part in DayPart.values])
        for day, name in enumerate(WEEKDAY_NAMES)
    ]
