"""The recruiter's pool search: free text (PostgreSQL full-text search with the `finnish` and
`simple` configurations, plus trigram similarity for names and typos) and filters that combine.

`SearchFilters.from_params` reads the GET parameters (bad input becomes a message, never an
error); `candidate_search_queryset` builds one queryset from them. Filters about the staffing
workflow (a client site, a bench or talent pool, reliability, a request's shifts) are resolved
through a `SearchContext` the caller gives (the staffing layer's, since this layer cannot read
its models); without one they are refused with a message.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from django.conf import settings
from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector, TrigramSimilarity
from django.db.models import (
    Case,
    CharField,
    Exists,
    F,
    FloatField,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce, Power, Sqrt
from django.utils import timezone
from django.utils.translation import gettext as _

from candidates.availability import DayPart, bit
from candidates.geo import postal_code_lookup
from candidates.languages import Language
from candidates.models import (
    Assessment,
    Candidate,
    CandidateLanguage,
    CandidateSkill,
    DateOff,
    Skill,
    WorkExperience,
)

SORTS = ("relevance", "last_active", "distance", "name")
ROLE_TYPES = ("retail", "office")
_WORD = re.compile(r"\w+", re.UNICODE)
TRIGRAM_THRESHOLD = 0.3
MAX_KM = 500
GROUPS = ("bench", "pool")
RELIABILITY = ("clean", "at_most_one")  # no lapse at all; at most one


@dataclass(frozen=True)
class ShiftsNeed:
    """What being free for a request's shifts means: the weekly-grid bits and the dates they
    need, and who is booked too close to them."""

    label: str
    grid_mask: int
    dates: tuple[dt.date, ...]
    busy_ids: tuple[int, ...]


class SearchContext(Protocol):
    """Answers about the staffing workflow that some filters need (see module docstring)."""

    def site_point(self, site_id: int) -> tuple[str, float, float] | None:
        """(label, latitude, longitude) of a client site, None if unknown."""

    def group_members(self, kind: str, key: int) -> tuple[str, list[int]] | None:
        """(label, candidate ids) of a bench (kind "bench", by profile id) or talent pool."""

    def lapsed_ids(self, more_than: int) -> list[int]:
        """People with more than `more_than` no-shows and late cancellations counting."""

    def request_shifts(self, request_id: int) -> ShiftsNeed | None: ...


@dataclass
class SearchFilters:
    text: str = ""
    role: str = ""
    skill_id: int | None = None
    skill_level: int = 1
    language: str = ""
    language_level: int = 1
    date: dt.date | None = None
    day_part: int | None = None
    postal_code: str = ""
    km: int | None = None
    fresh: bool = False
    assessed: str = ""  # "yes", "no" or ""
    consent: str = ""  # "yes", "no" or ""
    status: str = ""  # "active", "inactive" or "" (both); erased is never listed
    sort: str = "relevance"
    language_verified: bool = False  # the level must come from a language check
    site_id: int | None = None
    origin: tuple[float, float] | None = None  # the postal code's or the site's point
    origin_label: str = ""
    group: str = ""  # "bench" or "pool"
    group_key: int | None = None
    group_label: str = ""
    group_ids: tuple[int, ...] = ()
    reliability: str = ""
    lapsed_ids: tuple[int, ...] = ()
    request_id: int | None = None
    shifts: ShiftsNeed | None = None
    errors: list[str] = field(default_factory=list)

    @classmethod
    def from_params(
        cls, params: Mapping[str, str], context: SearchContext | None = None
    ) -> SearchFilters:
        f = cls()
        f.language_verified = params.get("verified") == "1"
        f.text = _text(params, "q", 200)
        f.role = _choice(params, "role", ROLE_TYPES)
        f.sort = _choice(params, "sort", SORTS) or "relevance"
        f.assessed = _choice(params, "assessed", ("yes", "no"))
        f.consent = _choice(params, "consent", ("yes", "no"))
        f.status = _choice(params, "status", (Candidate.Status.ACTIVE, Candidate.Status.INACTIVE))
        f.fresh = params.get("fresh") == "1"
        skill = _text(params, "skill", 40)
        if skill:
            found = Skill.objects.filter(code=skill).values_list("pk", flat=True).first()
            if found is None:
                f.errors.append(_("Unknown skill."))
            else:
                f.skill_id = found
        f.skill_level = _int_in(params, "skill_level", 1, 3, f, _("Skill level must be 1–3."))
        language = _text(params, "language", 2)
        if language:
            if language in Language.values:
                f.language = language
            else:
                f.errors.append(_("Unknown language."))
        f.language_level = _int_in(
            params, "language_level", 1, 6, f, _("Language level must be A1–C2.")
        )
        raw_date = _text(params, "date", 10)
        if raw_date:
            try:
                f.date = dt.date.fromisoformat(raw_date)
            except ValueError:
                f.errors.append(_("The date must look like 2026-12-31."))
        part = _text(params, "part", 1)
        if part:
            if part in {str(v) for v in DayPart.values}:
                f.day_part = int(part)
            else:
                f.errors.append(_("Unknown part of the day."))
        f.postal_code = _text(params, "postal_code", 5)
        raw_km = _text(params, "km", 4)
        if raw_km:
            if raw_km.isascii() and raw_km.isdigit() and 0 < int(raw_km) <= MAX_KM:
                f.km = int(raw_km)
            else:
                f.errors.append(_("The distance must be a whole number of km, 1–500."))
        place = postal_code_lookup(f.postal_code) if f.postal_code else None
        if f.postal_code and place is None:
            f.errors.append(_("Unknown postal code."))
            f.postal_code = ""
        if place is not None:
            f.origin, f.origin_label = (place.latitude, place.longitude), f.postal_code
        f._workflow_filters(params, context)
        if f.km and not f.origin:
            f.errors.append(_("A distance needs a postal code or a client site."))
            f.km = None
        if f.sort == "distance" and not f.origin:
            f.sort = "relevance"
        return f

    def _workflow_filters(self, params: Mapping[str, str], context: SearchContext | None) -> None:
        """The filters the staffing layer answers: a client site, a bench or pool, reliability
        and a request's shifts."""
        site = _id(params, "site", self, _("Unknown client site."))
        # "bench:<profile id>" or "pool:<talent pool id>"
        group, _sep, raw_key = _text(params, "in", 30).partition(":")
        group_key = None
        if group:
            if group in GROUPS and raw_key.isascii() and raw_key.isdigit():
                group_key = int(raw_key)
            else:
                self.errors.append(_("Unknown bench or talent pool."))
                group = ""
        reliability = _choice(params, "reliability", RELIABILITY)
        request_id = _id(params, "request", self, _("Unknown staffing request."))
        wanted = site or (group and group_key) or reliability or request_id
        if not wanted:
            return
        if context is None:
            self.errors.append(_("These filters are not available here."))
            return
        if site and not self.origin:
            point = context.site_point(site)
            if point is None:
                self.errors.append(_("Unknown client site."))
            else:
                self.site_id, self.origin_label = site, point[0]
                self.origin = (point[1], point[2])
        if group and group_key:
            members = context.group_members(group, group_key)
            if members is None:
                self.errors.append(_("Unknown bench or talent pool."))
            else:
                self.group, self.group_key = group, group_key
                self.group_label, self.group_ids = members[0], tuple(members[1])
        if reliability:
            self.reliability = reliability
            self.lapsed_ids = tuple(context.lapsed_ids(0 if reliability == "clean" else 1))
        if request_id:
            shifts = context.request_shifts(request_id)
            if shifts is None:
                self.errors.append(_("Unknown staffing request."))
            else:
                self.request_id, self.shifts = request_id, shifts

    @property
    def in_value(self) -> str:
        """The `in` parameter of the bench or pool filter ("pool:3"), empty when off."""
        return f"{self.group}:{self.group_key}" if self.group else ""

    def active(self) -> list[tuple[str, str]]:
        """The filters in use, as (key, label) pairs, in the order `empty_culprit` tries them."""
        labels: list[tuple[str, str]] = []
        if self.text:
            labels.append(("text", _("Search text")))
        if self.role:
            labels.append(("role", _("Role type")))
        if self.skill_id:
            labels.append(("skill", _("Skill")))
        if self.language:
            labels.append(("language", _("Language")))
        if self.date or self.day_part is not None:
            labels.append(("availability", _("Availability")))
        if self.km:
            labels.append(("distance", _("Distance")))
        if self.group:
            labels.append(("group", self.group_label))
        if self.reliability:
            labels.append(("reliability", _("Reliability")))
        if self.shifts is not None:
            labels.append(("shifts", _("Free for the request's shifts")))
        if self.fresh:
            labels.append(("fresh", _("Availability confirmed recently")))
        if self.assessed:
            labels.append(("assessed", _("Assessed")))
        if self.consent:
            labels.append(("consent", _("Consent to matching")))
        if self.status:
            labels.append(("status", _("Status")))
        return labels

    def without(self, key: str) -> SearchFilters:
        clone = SearchFilters(**{k: v for k, v in self.__dict__.items() if k != "errors"})
        reset: dict[str, object] = {
            "text": {"text": ""},
            "role": {"role": ""},
            "skill": {"skill_id": None},
            "language": {"language": "", "language_verified": False},
            "group": {"group": "", "group_ids": ()},
            "reliability": {"reliability": "", "lapsed_ids": ()},
            "shifts": {"shifts": None, "request_id": None},
            "availability": {"date": None, "day_part": None},
            "distance": {"km": None},
            "fresh": {"fresh": False},
            "assessed": {"assessed": ""},
            "consent": {"consent": ""},
            "status": {"status": ""},
        }
        for k, v in reset[key].items():  # type: ignore[attr-defined]
            setattr(clone, k, v)
        return clone


def _text(params: Mapping[str, str], name: str, max_length: int) -> str:
    value = params.get(name)
    if not isinstance(value, str):
        return ""
    return value.replace("\x00", "").strip()[:max_length]


def _choice(params: Mapping[str, str], name: str, choices: tuple[str, ...]) -> str:
    value = _text(params, name, 40)
    return value if value in choices else ""


def _id(params: Mapping[str, str], name: str, f: SearchFilters, message: str) -> int | None:
    raw = _text(params, name, 18)
    if not raw:
        return None
    if raw.isascii() and raw.isdigit():
        return int(raw)
    f.errors.append(message)
    return None


def _int_in(
    params: Mapping[str, str], name: str, lo: int, hi: int, f: SearchFilters, message: str
) -> int:
    raw = _text(params, name, 3)
    if not raw:
        return lo
    if raw.isascii() and raw.isdigit() and lo <= int(raw) <= hi:
        return int(raw)
    f.errors.append(message)
    return lo


def _prefix_query(text: str) -> str:
    """A tsquery that needs every word, each as a prefix: 'kassa' finds 'kassatyö'."""
    words = [w.lower() for w in _WORD.findall(text)][:8]
    return " & ".join(f"{w}:*" for w in words)


# The expression the trigram index on names is built on (migration 0008): the same text, so
# that `%` (similar to) can use the index. Unqualified, for the subquery on the names alone
# (a qualified name there would point at the outer query's row).
FULL_NAME_SQL = RawSQL("(first_name || ' ' || last_name)", [], output_field=CharField())
FULL_NAME_QUALIFIED_SQL = RawSQL(
    "(candidates_candidate.first_name || ' ' || candidates_candidate.last_name)",
    [],
    output_field=CharField(),
)
NAME_HITS = 5000


def _text_queries(text: str) -> tuple[SearchQuery, SearchQuery]:
    simple = SearchQuery(_prefix_query(text), config="simple", search_type="raw")
    finnish = SearchQuery(text, config="finnish", search_type="plain")
    return simple, finnish


def _name_hits(text: str) -> list[int]:
    """Ids of the people whose name is similar to the text (the names' trigram index), at most
    NAME_HITS of them. Read once, so that the count and the page compare names only here and
    compute the similarity only for these people (a hashed list of constants for PostgreSQL)."""
    names = Candidate.objects.alias(name_text=FULL_NAME_SQL).filter(name_text__trigram_similar=text)
    return list(names.values_list("pk", flat=True)[:NAME_HITS])


OWN_HITS = 10_000


def _ids(ids: list[int]) -> RawSQL:
    """A list of ids for `pk__in` as one array parameter: thousands of ids as one `%s`
    instead of one each (compiling and sending 5,000 parameters cost ~5 ms of Python per
    query, and the page's queries each carry these lists)."""
    return RawSQL("SELECT unnest(%s::bigint[])", [ids])


def _own_hits(text: str) -> list[int] | None:
    """Ids of the people whose own tsvector columns match the text, read once for the count,
    the page and the ranking: one GIN lookup per column (an OR of the two is planned as a scan
    of the pool). None when more than OWN_HITS match: then the lookup stays a subquery."""
    simple, finnish = _text_queries(text)
    found: set[int] = set()
    for matches in (Q(search_simple=simple), Q(search_finnish=finnish)):
        found.update(Candidate.objects.filter(matches).values_list("pk", flat=True)[: OWN_HITS + 1])
        if len(found) > OWN_HITS:
            return None
    return sorted(found)


def _own_matches(text: str, own_ids: list[int] | None) -> Q:
    if own_ids is not None:
        return Q(pk__in=_ids(own_ids))
    simple, finnish = _text_queries(text)
    words = Candidate.objects.filter(Q(search_simple=simple) | Q(search_finnish=finnish))
    return Q(pk__in=words.values("pk"))


def _text_matches(text: str, name_ids: list[int], own_ids: list[int] | None) -> Q:
    """People the text finds: each way of finding is an indexed lookup of ids (the stored
    tsvector columns with their GIN indexes, the names' trigram index, the skill taxonomy),
    so that the pool is not scanned row by row; PostgreSQL hashes each set once."""
    simple, finnish = _text_queries(text)
    skill_ids = list(
        Skill.objects.annotate(
            v=SearchVector("name_fi", "name_en", "name_sv", "code", config="simple")
        )
        .filter(v=simple)
        .values_list("pk", flat=True)
    )
    # One set per column, each a GIN lookup (an OR of the two is planned as a scan of all jobs).
    jobs = WorkExperience.objects.values("candidate_id")
    found = (
        _own_matches(text, own_ids)
        | Q(pk__in=_ids(name_ids))
        | Q(pk__in=jobs.filter(search_simple=simple))
        | Q(pk__in=jobs.filter(search_finnish=finnish))
    )
    if skill_ids:
        skills = CandidateSkill.objects.filter(skill_id__in=skill_ids).values("candidate_id")
        found |= Q(pk__in=skills)
    if "@" in text:
        found |= Q(email__icontains=text)
    digits = "".join(ch for ch in text if ch.isascii() and ch.isdigit())
    if len(digits) >= 4:
        found |= Q(phone__contains=digits[-9:])
    return found


def candidate_search_queryset(filters: SearchFilters) -> QuerySet[Candidate]:
    """The people the filters find, in the order the page shows them."""
    return _search(filters)[0]


def candidate_search_results(filters: SearchFilters) -> SearchResults:
    """The same people for the page's paginator (see SearchResults)."""
    people, ranked = _search(filters)
    return SearchResults(people, ranked)


def _search(filters: SearchFilters) -> tuple[QuerySet[Candidate], QuerySet[Candidate] | None]:
    """The queryset, and with a free text sorted by relevance the same query for the only
    people who can rank above 0 (None when not known or not sorted by relevance)."""
    # The stored tsvectors are for finding and ranking in SQL, never read by the page.
    people = Candidate.objects.listed().defer("search_simple", "search_finnish")
    if filters.status:
        people = people.filter(status=filters.status)
    if filters.role == "retail":
        people = people.filter(works_retail=True)
    elif filters.role == "office":
        people = people.filter(works_office=True)
    if filters.skill_id:
        people = people.filter(
            Exists(
                CandidateSkill.objects.filter(
                    candidate=OuterRef("pk"),
                    skill_id=filters.skill_id,
                    level__gte=filters.skill_level,
                )
            )
        )
    if filters.language:
        people = _speaks(people, filters)
    if filters.group:
        people = people.filter(pk__in=_ids(list(filters.group_ids)))
    if filters.reliability:
        people = people.exclude(pk__in=_ids(list(filters.lapsed_ids)))
    if filters.shifts is not None:
        need = filters.shifts
        people = (
            people.alias(shift_bits=F("availability").bitand(need.grid_mask))
            .filter(shift_bits=need.grid_mask)
            .exclude(Exists(DateOff.objects.filter(candidate=OuterRef("pk"), date__in=need.dates)))
            .exclude(pk__in=_ids(list(need.busy_ids)))
        )
    if filters.date or filters.day_part is not None:
        parts = [filters.day_part] if filters.day_part is not None else list(DayPart.values)
        if filters.date:
            weekdays = [filters.date.weekday()]
            people = people.exclude(
                Exists(DateOff.objects.filter(candidate=OuterRef("pk"), date=filters.date))
            )
        else:
            weekdays = list(range(7))
        # Any of the wanted cells set: OR of the single-bit tests.
        test = Q()
        for weekday in weekdays:
            for part in parts:
                mask = bit(weekday, part)
                test |= Q(**{f"avail_{weekday}_{part}": mask})
                people = people.alias(**{f"avail_{weekday}_{part}": F("availability").bitand(mask)})
        people = people.filter(test)
    if filters.fresh:
        since = timezone.now() - dt.timedelta(days=settings.AVAILABILITY_STALE_DAYS)
        people = people.filter(availability_confirmed_at__gte=since)
    if filters.assessed:
        assessed = Exists(Assessment.objects.filter(candidate=OuterRef("pk")))
        people = people.filter(assessed) if filters.assessed == "yes" else people.exclude(assessed)
    if filters.consent:
        people = people.filter(matching_consent=filters.consent == "yes")
    if filters.origin:
        latitude, longitude = filters.origin
        cos_lat = math.cos(math.radians(latitude))
        people = people.annotate(
            distance_km=Sqrt(
                Power((F("latitude") - latitude) * 110.57, 2)
                + Power((F("longitude") - longitude) * 111.32 * cos_lat, 2),
                output_field=FloatField(),
            )
        )
        if filters.km:
            # A bounding box first (uses plain comparisons), then the exact circle.
            dlat = filters.km / 110.57
            dlon = filters.km / (111.32 * cos_lat)
            people = people.filter(
                latitude__range=(latitude - dlat, latitude + dlat),
                longitude__range=(longitude - dlon, longitude + dlon),
                distance_km__lte=filters.km,
            )
    if not (filters.text and _prefix_query(filters.text)):
        people = people.annotate(relevance=Value(0.0, output_field=FloatField()))
        return _ordered(people, filters), None
    name_ids = _name_hits(filters.text)
    own_ids = _own_hits(filters.text)
    simple, finnish = _text_queries(filters.text)
    similarity = TrigramSimilarity(FULL_NAME_QUALIFIED_SQL, filters.text)

    def ranked(found: QuerySet[Candidate]) -> QuerySet[Candidate]:
        # Ranked only where the person's own vectors match: a broad word found through a skill
        # or a job leaves most people at 0 without computing ts_rank for each of them.
        found = found.annotate(
            name_similarity=Case(
                When(pk__in=_ids(name_ids), then=similarity),
                default=0.0,
                output_field=FloatField(),
            ),
            own_rank=Case(
                When(
                    _own_matches(filters.text, own_ids),
                    then=SearchRank(F("search_simple"), simple)
                    + SearchRank(F("search_finnish"), finnish),
                ),
                default=0.0,
                output_field=FloatField(),
            ),
        )
        return _ordered(found.annotate(relevance=F("own_rank") + F("name_similarity")), filters)

    found = ranked(people.filter(_text_matches(filters.text, name_ids, own_ids)))
    if own_ids is None or filters.sort != "relevance":
        return found, None
    # The only people who can rank above 0 are found by the text anyway: no need to test it.
    return found, ranked(people.filter(pk__in=_ids(sorted(set(own_ids) | set(name_ids)))))


def _ordered(people: QuerySet[Candidate], filters: SearchFilters) -> QuerySet[Candidate]:
    people = people.annotate(last_active=Coalesce("activity__last_seen_at", "created_at"))
    if filters.sort == "distance":
        return people.order_by(F("distance_km").asc(nulls_last=True), "id")
    if filters.sort == "last_active":
        return people.order_by(F("last_active").desc(nulls_last=True), "id")
    if filters.sort == "name":
        return people.order_by("last_name", "first_name", "id")
    return people.order_by("-relevance", F("last_active").desc(nulls_last=True), "id")


class SearchResults:
    """A search's people for Django's Paginator, which takes slices of it.

    Sorted by relevance with a free text, only the people whose own words or name match can
    rank above 0 (`ranked`, a few thousand at most); everyone else found (through a skill
    or a job: "kassa" finds 69 % of the pool through till work) ranks 0 and follows in the
    order of last activity. So a page among the ranked people is read from them alone (an
    indexed lookup of their ids), not by ranking and sorting everyone the text found; a page
    past them reads the rest. The order is exactly the queryset's."""

    ordered = True

    def __init__(self, people: QuerySet[Candidate], ranked: QuerySet[Candidate] | None) -> None:
        self.people = people
        self.ranked = ranked  # the people who can rank above 0, in the same order

    def count(self) -> int:
        return candidate_search_count(self.people)

    def __getitem__(self, window: slice) -> list[Candidate]:
        start, stop = window.start or 0, window.stop
        if self.ranked is None or stop is None:
            return list(self.people[window])
        head = list(self.ranked[start:stop])
        if len(head) == stop - start:
            return head
        # Fewer ranked people than the page's end: how many there are, then the rest.
        in_ranked = start + len(head) if head or not start else self.ranked.count()
        rest = self.people.exclude(pk__in=self.ranked.order_by().values("pk"))
        return head + list(rest[max(0, start - in_ranked) : stop - in_ranked])


# The level the latest language check of each person verified for a language: one pass over
# the checks (DISTINCT ON), hashed once, instead of a sorted subquery per person of the pool.
_LATEST_VERIFIED_SQL = """
    SELECT candidate_id FROM (
        SELECT DISTINCT ON (candidate_id) candidate_id, language_level_verified
        FROM candidates_assessment
        WHERE language_checked = %s AND language_level_verified IS NOT NULL
        ORDER BY candidate_id, assessed_at DESC, id DESC
    ) latest
    WHERE latest.language_level_verified >= %s
"""


def _speaks(people: Any, filters: SearchFilters) -> Any:
    """The language at the level: the level the latest language check verified counts where
    there is one (as in matching); with `language_verified`, only a verified level does."""
    verified_at_level = Q(
        pk__in=RawSQL(_LATEST_VERIFIED_SQL, [filters.language, filters.language_level])
    )
    if filters.language_verified:
        return people.filter(verified_at_level)
    checked = Assessment.objects.filter(language_checked=filters.language).exclude(
        language_level_verified=None
    )
    self_assessed = CandidateLanguage.objects.filter(
        language=filters.language, level__gte=filters.language_level
    )
    return people.filter(
        verified_at_level
        | (
            ~Q(pk__in=checked.values("candidate_id"))
            & Q(pk__in=self_assessed.values("candidate_id"))
        )
    )


COUNT_CAP = 1000


def candidate_search_count(people: QuerySet[Candidate], *, cap: int = COUNT_CAP) -> int:
    """How many people the search finds, counted up to `cap` + 1 (a LIMIT: PostgreSQL stops
    there): "more than 1,000" is all a recruiter needs, and counting 69,000 people found by a
    broad word was half the cost of the search."""
    return people.order_by().values("pk")[: cap + 1].count()


def empty_culprit(filters: SearchFilters) -> str:
    """When nobody matches: the label of the filter whose removal brings people back."""
    for key, label in filters.active():
        if candidate_search_queryset(filters.without(key)).exists():
            return label
    return ""


__all__ = [
    "COUNT_CAP",
    "SearchFilters",
    "candidate_search_count",
    "candidate_search_queryset",
    "candidate_search_results",
    "empty_culprit",
]
