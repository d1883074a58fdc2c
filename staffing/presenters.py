"""Shape domain objects for pages: a request's progress, its timeline and presented people."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from decimal import Decimal
from enum import Enum
from typing import Any

from django.db.models import Min, Prefetch, Q
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from candidates.models import CandidateLanguage, CandidateSkill
from clients.models import CandidateMark
from staffing.explanations import explanation_parts, factor_labels, fit_summary
from staffing.models import (
    AuditEvent,
    Offer,
    Placement,
    PresentedDecline,
    ServiceRating,
    Shift,
    Shortlist,
    ShortlistEdit,
    StaffingRequest,
)


@dataclass(frozen=True)
class Step:
    label: str
    done: bool
    at: dt.datetime | None = None
    detail: str = ""
    alert: bool = False
    # Not done, but a later step is: the agency went past it (placed someone directly).
    skipped: bool = False


# The badge colour of each request status, wherever a request's status is shown.
STATUS_TONES = {
    StaffingRequest.Status.RECEIVED: "warning",
    StaffingRequest.Status.FILLED: "success",
    StaffingRequest.Status.NEEDS_ATTENTION: "danger",
    StaffingRequest.Status.CANCELLED: "secondary",
}


@dataclass(frozen=True)
class RequestStatus:
    """Where a request stands, read once: the badge, Progress, Placed people and the live offers
    panel of the recruiter's page all show this one reading, so they cannot disagree."""

    status: str
    label: str
    tone: str
    headcount: int
    confirmed: int  # people on every shift the client still wants (its least covered one)
    open_places: int  # places that can still be offered: shifts not cancelled, not over
    placements: list[Placement]  # everyone placed, in shift order; cancelled ones left out
    steps: list[Step]

    @property
    def is_final(self) -> bool:
        return self.status in (StaffingRequest.Status.FILLED, StaffingRequest.Status.CANCELLED)


def confirmed_on_every_shift(headcount: int, placed: list[int]) -> int:
    """People confirmed as the filling rule counts them: on the least covered of the shifts the
    client still wants (`placed` per such shift), at most the headcount."""
    return min((min(n, headcount) for n in placed), default=0)


def shown_shifts_prefetch() -> Prefetch:
    """A request page's shifts, read once with their cancellations and placed counts, by
    start: what its summary (cancelled ones struck through) and its status both read."""
    return Prefetch(
        "shifts",
        queryset=Shift.objects.with_placed().select_related("cancellation").order_by("starts_at"),
    )


def shown_shortlist(req: StaffingRequest) -> Shortlist | None:
    """The request's current shortlist as `current_shortlist` reads it, for a page: with who
    approved it, without its replay inputs (about 11 KB of JSON that no page shows)."""
    return (
        req.shortlists.select_related("approved_by")
        .defer("inputs")
        .order_by("-created_at", "-id")
        .first()
    )


class Unread(Enum):
    UNREAD = "unread"


# A keyword's default meaning "not read yet: read it here" where None is a value it can have.
UNREAD = Unread.UNREAD


def request_status(
    req: StaffingRequest,
    *,
    now: dt.datetime | None = None,
    shortlist: Shortlist | Unread | None = UNREAD,
    shifts: list[Shift] | None = None,
) -> RequestStatus:
    """The request's status with its counts and steps, from one read of its shifts and
    placements (`confirmed` counts like the filling rule does: the least covered shift).

    A page that has read them already passes the request's current `shortlist` and its
    `shifts` (every one, annotated `with_placed`, with its `cancellation` selected)."""
    now = now or timezone.now()
    if shifts is None:
        shifts = list(Shift.objects.active().filter(request=req).with_placed())
    else:
        shifts = [s for s in shifts if not hasattr(s, "cancellation")]
    confirmed = confirmed_on_every_shift(req.headcount, [s.placed for s in shifts])
    open_places = sum(max(req.headcount - s.placed, 0) for s in shifts if s.ends_at > now)
    placements = list(
        req.placements.exclude(status=Placement.Status.CANCELLED)
        .select_related("candidate", "shift")
        .order_by("shift__starts_at", "pk")
    )
    return RequestStatus(
        status=req.status,
        label=req.get_status_display(),
        tone=STATUS_TONES.get(req.status, "primary"),
        headcount=req.headcount,
        confirmed=confirmed,
        open_places=open_places,
        placements=placements,
        steps=_progress_steps(
            req,
            confirmed=confirmed,
            placements=placements,
            shortlist=req.current_shortlist if shortlist is UNREAD else shortlist,
        ),
    )


def _progress_steps(
    req: StaffingRequest,
    *,
    confirmed: int,
    placements: list[Placement],
    shortlist: Shortlist | None,
) -> list[Step]:
    """received → shortlist ready → approved → offers sent → k of n confirmed → filled (or
    needs attention / cancelled), each step with its time. A step the request went past without
    it (a person placed directly, no shortlist) is marked skipped, so "Filled" never stands next
    to an unchecked "Shortlist ready"."""
    status = StaffingRequest.Status
    first_offer = req.events.filter(action="offers.wave_sent").aggregate(at=Min("created_at"))
    active = [p.created_at for p in placements if p.status in Placement.ACTIVE_STATUSES]
    steps = [
        Step(_("Received"), True, req.created_at),
        Step(_("Shortlist ready"), shortlist is not None, req.shortlisted_at),
        Step(
            _("Approved by the agency"),
            bool(shortlist and shortlist.approved_at),
            shortlist.approved_at if shortlist else None,
        ),
        Step(_("Offers sent"), first_offer["at"] is not None, first_offer["at"]),
        Step(
            _("People confirmed"),
            confirmed >= req.headcount,
            max(active) if confirmed and active else None,
            detail=gettext("%(k)s of %(n)s") % {"k": confirmed, "n": req.headcount},
        ),
        Step(_("Filled"), req.status == status.FILLED, req.filled_at),
    ]
    last_done = max(i for i, step in enumerate(steps) if step.done)
    steps = [
        replace(s, skipped=True) if i < last_done and not s.done else s for i, s in enumerate(steps)
    ]
    if req.status == status.NEEDS_ATTENTION:
        steps.append(
            Step(_("Needs attention: the agency is on it"), True, req.updated_at, alert=True)
        )
    if req.status == status.CANCELLED:
        steps.append(Step(_("Cancelled"), True, req.updated_at, alert=True))
    return steps


def request_progress(
    req: StaffingRequest,
    *,
    shortlist: Shortlist | Unread | None = UNREAD,
    shifts: list[Shift] | None = None,
) -> list[Step]:
    """The request's steps, as `request_status` reads them (and takes what it reads)."""
    return request_status(req, shortlist=shortlist, shifts=shifts).steps


@dataclass(frozen=True)
class TimelineItem:
    at: dt.datetime
    text: str
    icon: str = "bi-dot"
    actor: str = ""
    person: str = ""  # the candidate the event is about (recruiters only), linked to their page
    person_id: int | None = None
    note: str = ""  # the reason given with it


def _n(data: dict, key: str) -> Any:
    value = data.get(key)
    return len(value) if isinstance(value, list) else value or 0


# What a client manager may read of each event: no names, no scores, no internal detail.
CLIENT_WORDING: dict[str, tuple[str, Callable[[dict], str]]] = {
    "request.submitted": (
        "bi-inbox",
        lambda d: (
            ngettext(
                "Request received: %(n)s person",
                "Request received: %(n)s people",
                _n(d, "headcount"),
            )
            % {"n": _n(d, "headcount")}
        ),
    ),
    "shortlist.created": (
        "bi-list-ol",
        lambda d: (
            ngettext(
                "Shortlist ready: %(n)s person fits",
                "Shortlist ready: %(n)s people fit",
                _n(d, "entries"),
            )
            % {"n": _n(d, "entries")}
        ),
    ),
    "shortlist.approved": (
        "bi-check2-square",
        lambda d: gettext("The agency approved the shortlist"),
    ),
    "offers.wave_sent": (
        "bi-send",
        lambda d: (
            ngettext(
                "Offers sent to %(n)s person",
                "Offers sent to %(n)s people",
                _n(d, "candidates") or _n(d, "offers"),
            )
            % {"n": _n(d, "candidates") or _n(d, "offers")}
        ),
    ),
    "offer.accepted": ("bi-person-check", lambda d: gettext("A person confirmed")),
    "offers.closed_filled": ("bi-flag", lambda d: gettext("All places filled")),
    "offers.exhausted": (
        "bi-exclamation-triangle",
        lambda d: gettext("Nobody left to offer the work to: the agency is looking further"),
    ),
    "request.backfill": ("bi-arrow-repeat", lambda d: gettext("A place reopened: offered again")),
    "placement.cancelled": ("bi-person-x", lambda d: gettext("A confirmed person cancelled")),
    "person.declined_by_client": (
        "bi-person-dash",
        lambda d: gettext("You declined a person; the agency is finding another"),
    ),
    "shift.cancelled": ("bi-calendar-x", lambda d: gettext("A shift was cancelled")),
    "request.cancelled": ("bi-x-circle", lambda d: gettext("The request was cancelled")),
    "placement.no_show": ("bi-person-slash", lambda d: gettext("A no-show was reported")),
    "placement.rated": (
        "bi-star",
        lambda d: gettext("Service rated %(score)s/5") % {"score": d.get("score")},
    ),
}


# What recruiters read for events clients never see.
RECRUITER_WORDING: dict[str, tuple[str, Callable[[dict], str]]] = {
    "offers.withdrawn": ("bi-x-square", lambda d: gettext("Open offers withdrawn")),
    "offers.expired": ("bi-hourglass-bottom", lambda d: gettext("Offers expired unanswered")),
    "offer.conflict": (
        "bi-exclamation-octagon",
        lambda d: gettext("An acceptance clashed with another booking and was refused"),
    ),
    "placement.completed": ("bi-check2-all", lambda d: gettext("Shift completed")),
    "reliability.contested": ("bi-chat-left-text", lambda d: gettext("A record was contested")),
    "reliability.answered": ("bi-reply", lambda d: gettext("The agency answered a contest")),
    "candidates.searched": ("bi-search", lambda d: gettext("The pool was searched")),
}


def _recruiter_wording(action: str) -> tuple[str, Callable[[dict], str] | None]:
    """Plain words for any request event: known actions, then status and curation changes."""
    if action in CLIENT_WORDING:
        return CLIENT_WORDING[action]
    if action in RECRUITER_WORDING:
        return RECRUITER_WORDING[action]
    kind, _dot, value = action.partition(".")
    labels: dict[str, Any] = {
        "request": dict(StaffingRequest.Status.choices),
        "offer": dict(Offer.Status.choices),
        "shortlist": dict(ShortlistEdit.Action.choices),
    }.get(kind, {})
    if value in labels:
        label = labels[value]
        texts = {
            "request": lambda d: gettext("Status: %(status)s") % {"status": label},
            "offer": lambda d: gettext("Offer: %(status)s") % {"status": label},
            "shortlist": lambda d: gettext("Shortlist: %(change)s") % {"change": label},
        }
        return "bi-dot", texts[kind]
    return "bi-dot", None


def request_timeline(req: StaffingRequest, *, for_client: bool) -> list[TimelineItem]:
    """The request's story from its audit events, oldest first.

    Clients read a whitelist in plain words (never a candidate's name); recruiters read every
    event with who did it. Views of personal data belong to the candidate's own log, not here.
    """
    events = (
        AuditEvent.objects.filter(staffing_request=req)
        .exclude(action__in=AuditEvent.VIEW_ACTIONS)
        .select_related("actor", "candidate")
    )
    items = []
    for event in events.order_by("created_at", "id"):
        if for_client:
            wording = CLIENT_WORDING.get(event.action)
            if wording is None:
                continue
            icon, text = wording
            items.append(TimelineItem(event.created_at, text(event.data), icon))
        else:
            icon, text = _recruiter_wording(event.action)
            detail = text(event.data) if text else event.action
            actor = event.actor.email if event.actor else gettext("system")
            person = event.candidate
            items.append(
                TimelineItem(
                    event.created_at,
                    detail,
                    icon,
                    actor,
                    person=person.full_name if person else "",
                    person_id=person.pk if person else None,
                    note=str(event.data.get("reason") or ""),
                )
            )
    return items


@dataclass
class PresentedPerson:
    candidate_id: int
    first_name: str
    fit: list[str]
    languages: list[str]
    skills: list[str]
    band: str
    placed: bool = False
    full_name: str = ""
    phone: str = ""
    placements: list[Placement] = field(default_factory=list)
    favourite: bool = False

    @property
    def booked_ahead(self) -> list[Placement]:
        """The person's bookings on the request whose shift has not started yet."""
        now = timezone.now()
        return [p for p in self.placements if p.shift.starts_at > now]


def presented_people(
    req: StaffingRequest,
    *,
    limit: int | None = None,
    shortlist: Shortlist | Unread | None = UNREAD,
) -> list[PresentedPerson]:
    """Who the client sees: the people placed with them (with full name and phone), whether or
    not a shortlist was approved first (a recruiter may place someone directly); then, once the
    agency has approved the shortlist, the best ranked people still in play (first name only).
    Declined people, and people who turned the offer down, are left out. (`shortlist`: the
    request's current one, when the page has read it.)"""
    if shortlist is UNREAD:
        shortlist = req.current_shortlist
    approved = shortlist is not None and shortlist.approved_at is not None
    placements = list(
        req.placements.filter(status__in=Placement.ACTIVE_STATUSES)
        .select_related("candidate", "shift", "service_rating")
        .order_by("shift__starts_at", "pk")
    )
    declined = set(
        PresentedDecline.objects.filter(request=req).values_list("candidate_id", flat=True)
    )
    gone = set(
        req.offers.filter(status__in=["declined", "expired", "withdrawn", "filled"]).values_list(
            "candidate_id", flat=True
        )
    )
    placed_ids = {p.candidate_id for p in placements}
    limit = limit if limit is not None else 2 * req.headcount
    if req.is_final or not approved:  # only the people placed matter (or may be shown)
        limit = 0
    # Before a placement, only people who consented to being presented to clients are shown.
    entries = (
        list(
            shortlist.ranked.exclude(candidate_id__in=declined | gone | placed_ids)
            .filter(candidate__presentation_consent=True)
            .select_related("candidate")[: max(limit - len(placed_ids), 0)]
        )
        if shortlist is not None and limit
        else []
    )
    people_ids = [
        *dict.fromkeys(p.candidate_id for p in placements),
        *(e.candidate_id for e in entries),
    ]
    if not people_ids:
        return []
    explanations = (
        dict(
            shortlist.entries.filter(candidate_id__in=people_ids).values_list(
                "candidate_id", "explanation"
            )
        )
        if shortlist
        else {}
    )
    candidates = {p.candidate_id: p.candidate for p in placements}
    candidates.update({e.candidate_id: e.candidate for e in entries})
    ratings = ServiceRating.objects.summary_by_candidate(people_ids)
    languages, skills = _languages_and_skills(req, people_ids)
    favourites = set(
        CandidateMark.objects.filter(
            company_id=req.company_id,
            candidate_id__in=people_ids,
            kind=CandidateMark.Kind.FAVOURITE,
        ).values_list("candidate_id", flat=True)
    )
    out = []
    for pk in people_ids:
        person = candidates[pk]
        placed = pk in placed_ids
        out.append(
            PresentedPerson(
                candidate_id=pk,
                fit=fit_summary(explanations.get(pk, {})),
                languages=languages.get(pk, []),
                skills=skills.get(pk, []),
                band=ServiceRating.band(ratings.get(pk)),
                placed=placed,
                placements=[p for p in placements if p.candidate_id == pk],
                favourite=pk in favourites,
                **person.shown_to_client(placed=placed),
            )
        )
    return out


def _languages_and_skills(
    req: StaffingRequest, ids: list[int]
) -> tuple[dict[int, list[str]], dict[int, list[str]]]:
    """Each person's languages, and the skills they have among those the request names."""
    languages: dict[int, list[str]] = {}
    for row in CandidateLanguage.objects.filter(candidate_id__in=ids).order_by("-level"):
        languages.setdefault(row.candidate_id, []).append(str(row))
    # The request's skills as subqueries: one query, not three.
    wanted = Q(skill__in=req.required_skills.all()) | Q(skill__in=req.preferred_skills.all())
    skills: dict[int, list[str]] = {}
    rows = CandidateSkill.objects.filter(wanted, candidate_id__in=ids)
    for row in rows.select_related("skill"):
        skills.setdefault(row.candidate_id, []).append(row.skill.name)
    return languages, skills


def offer_reasons(explanation: dict) -> list[str]:
    """Why a person was offered the work, said to them: plain words, no scores, at most four.

    The same reading of the engine's explanation as `fit_summary`, addressed to the candidate.
    """
    factors = {f["code"]: f for f in (explanation or {}).get("factors", [])}
    lines: list[str] = []
    if factors.get("favourite", {}).get("value"):
        lines.append(gettext("The client has marked you as a favourite"))
    if factors.get("experience_client", {}).get("completed"):
        lines.append(gettext("You have worked for this client before"))
    if factors.get("assessment", {}).get("value", 0) >= 0.5:
        lines.append(gettext("Your customer service stood out in our assessment"))
    if factors.get("skills_required", {}).get("value") == 1:
        lines.append(gettext("You have every skill the work needs"))
    if factors.get("experience_kind", {}).get("completed"):
        lines.append(gettext("You have done this kind of work before"))
    km = factors.get("distance", {}).get("km")
    if km is not None and km <= 10:
        lines.append(gettext("The workplace is near you"))
    if explanation and not explanation.get("failed"):
        lines.append(gettext("You are available for every shift and speak the languages needed"))
    return lines[:4]


@dataclass(frozen=True)
class Contribution:
    label: str
    points: float


@dataclass
class ShortlistRow:
    """One shortlist entry as a compact row for recruiters, with its full account behind it."""

    entry: Any
    top: list[Contribution]
    penalty: Contribution | None
    km: float | None
    languages: list[str]
    account: dict[str, Any] | None  # the full account; None where it is fetched when opened

    @property
    def bar(self) -> int:
        """The score as a 0–100 bar width."""
        return max(0, min(100, round(self.entry.score)))


def candidate_languages(candidate_ids: list[int]) -> dict[int, list[str]]:
    """Each person's languages as the shortlist shows them ("FI C2"), strongest first."""
    languages: dict[int, list[str]] = {}
    rows = CandidateLanguage.objects.filter(candidate_id__in=candidate_ids)
    for row in rows.order_by("-level", "language"):
        languages.setdefault(row.candidate_id, []).append(
            f"{row.language.upper()} {row.get_level_display()}"
        )
    return languages


def shortlist_rows(
    entries: list,
    *,
    skill_names: dict[int, str] | None = None,
    languages: dict[int, list[str]] | None = None,
) -> list[ShortlistRow]:
    """Shortlist entries (ranked or near misses) with their strongest reasons up front: the
    three largest point contributions, the largest penalty, distance and languages
    (`languages` as `candidate_languages` reads them; read here when not given).

    With `skill_names`, each row carries its full account too. Without, the page fetches an
    entry's account when it is opened (`shortlist_entry_explanation`): building and sending 50
    accounts was most of the request page's time and 400 KB of its HTML."""
    if languages is None:
        languages = candidate_languages([e.candidate_id for e in entries])
    labels = factor_labels()
    out = []
    for entry in entries:
        explanation = entry.explanation or {}
        factors = explanation.get("factors", [])
        contributions = [
            Contribution(labels.get(f["code"], f["code"]), f.get("points", 0)) for f in factors
        ]
        gains = sorted((c for c in contributions if c.points > 0), key=lambda c: -c.points)
        losses = sorted((c for c in contributions if c.points < 0), key=lambda c: c.points)
        distance = next((f for f in factors if f["code"] == "distance"), {})
        out.append(
            ShortlistRow(
                entry=entry,
                top=gains[:3],
                penalty=losses[0] if losses else None,
                km=distance.get("km"),
                languages=languages.get(entry.candidate_id, []),
                account=None
                if skill_names is None
                else explanation_parts(explanation, skill_names),
            )
        )
    return out


def _euros(value: Decimal) -> str:
    """12 or 12,50 (the active language's decimal separator): cents only when there are some."""
    whole = value == value.to_integral_value()
    return number_format(value, decimal_pos=0 if whole else 2)


def pay_range_text(profile: Any) -> str:
    """The hourly pay a service profile offers, in words ("12,50–14 € an hour"); "" when the
    profile gives none."""
    low, high = profile.pay_min, profile.pay_max
    if low is not None and high is not None and low != high:
        return gettext("%(low)s–%(high)s € an hour") % {"low": _euros(low), "high": _euros(high)}
    if low is not None and high is None:
        return gettext("from %(pay)s € an hour") % {"pay": _euros(low)}
    if high is not None and low is None:
        return gettext("up to %(pay)s € an hour") % {"pay": _euros(high)}
    if low is not None:
        return gettext("%(pay)s € an hour") % {"pay": _euros(low)}
    return ""


def answer_within_text(*, deadline: dt.datetime, now: dt.datetime) -> str:
    """How long a person has to answer an offer, counted in whole minutes up ("answer within 27
    minutes", "answer within 3 h 20 min"); the page's script keeps counting down with the
    same words (`answer_within_forms`)."""
    minutes = math.ceil((deadline - now).total_seconds() / 60)
    if minutes <= 0:
        return gettext("The time to answer is over")
    if minutes < 60:
        return ngettext("Answer within %(n)s minute", "Answer within %(n)s minutes", minutes) % {
            "n": minutes
        }
    return gettext("Answer within %(h)s h %(m)s min") % {"h": minutes // 60, "m": minutes % 60}


def answer_within_forms() -> dict[str, str]:
    """The countdown's words for the page's script, with {n}, {h} and {m} to fill in. Finnish,
    Swedish and English all have two plural forms (one, and every other number), so the forms
    for 1 and 2 minutes are all it needs."""
    return {
        "one": ngettext("Answer within %(n)s minute", "Answer within %(n)s minutes", 1)
        % {"n": "{n}"},
        "other": ngettext("Answer within %(n)s minute", "Answer within %(n)s minutes", 2)
        % {"n": "{n}"},
        "hours": gettext("Answer within %(h)s h %(m)s min") % {"h": "{h}", "m": "{m}"},
        "over": gettext("The time to answer is over"),
    }
