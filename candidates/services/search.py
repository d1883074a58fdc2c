"""The recruiter's pool search: free text (PostgreSQL full-text search with the `finnish` and
`simple` configurations, plus trigram similarity for names and typos) and filters that combine.

`SearchFilters.from_params` reads the GET parameters (bad input becomes a message, never an
error); `candidate_search_queryset` builds one queryset from them.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

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
    errors: list[str] = field(default_factory=list)

    @classmethod
    def from_params(cls, params: Mapping[str, str]) -> SearchFilters:
        f = cls()
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
        if f.postal_code and postal_code_lookup(f.postal_code) is None:
            f.errors.append(_("Unknown postal code."))
            f.postal_code = ""
        if f.km and not f.postal_code:
            f.errors.append(_("A distance needs a postal code."))
            f.km = None
        if f.sort == "distance" and not f.postal_code:
            f.sort = "relevance"
        return f

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
            "language": {"language": ""},
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


def _text_matches(text: str, name_ids: list[int]) -> Q:
    """People the text finds: each way of finding is an indexed lookup of ids (the stored
    tsvector columns with their GIN indexes, the names' trigram index, the skill taxonomy),
    so that the pool is not scanned row by row; PostgreSQL hashes each set once."""
    simple, finnish = _text_queries(text)
    words = Candidate.objects.filter(Q(search_simple=simple) | Q(search_finnish=finnish))
    skill_ids = list(
        Skill.objects.annotate(
            v=SearchVector("name_fi", "name_en", "name_sv", "code", config="simple")
        )
        .filter(v=simple)
        .values_list("pk", flat=True)
    )
    experience = WorkExperience.objects.filter(
        Q(search_simple=simple) | Q(search_finnish=finnish)
    ).values("candidate_id")
    found = Q(pk__in=words.values("pk")) | Q(pk__in=name_ids) | Q(pk__in=experience)
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
    people = Candidate.objects.listed()
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
        people = people.filter(
            Exists(
                CandidateLanguage.objects.filter(
                    candidate=OuterRef("pk"),
                    language=filters.language,
                    level__gte=filters.language_level,
                )
            )
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
    if filters.postal_code:
        place = postal_code_lookup(filters.postal_code)
        assert place is not None
        cos_lat = math.cos(math.radians(place.latitude))
        people = people.annotate(
            distance_km=Sqrt(
                Power((F("latitude") - place.latitude) * 110.57, 2)
                + Power((F("longitude") - place.longitude) * 111.32 * cos_lat, 2),
                output_field=FloatField(),
            )
        )
        if filters.km:
            # A bounding box first (uses plain comparisons), then the exact circle.
            dlat = filters.km / 110.57
            dlon = filters.km / (111.32 * cos_lat)
            people = people.filter(
                latitude__range=(place.latitude - dlat, place.latitude + dlat),
                longitude__range=(place.longitude - dlon, place.longitude + dlon),
                distance_km__lte=filters.km,
            )
    rank: Any = Value(0.0, output_field=FloatField())
    if filters.text and _prefix_query(filters.text):
        name_ids = _name_hits(filters.text)
        people = people.filter(_text_matches(filters.text, name_ids))
        simple, finnish = _text_queries(filters.text)
        similarity = TrigramSimilarity(FULL_NAME_QUALIFIED_SQL, filters.text)
        people = people.annotate(
            name_similarity=Case(
                When(pk__in=name_ids, then=similarity), default=0.0, output_field=FloatField()
            ),
            own_rank=SearchRank(F("search_simple"), simple)
            + SearchRank(F("search_finnish"), finnish),
        )
        rank = F("own_rank") + F("name_similarity")
    people = people.annotate(
        relevance=rank, last_active=Coalesce("activity__last_seen_at", "created_at")
    )
    if filters.sort == "distance":
        return people.order_by(F("distance_km").asc(nulls_last=True), "id")
    if filters.sort == "last_active":
        return people.order_by(F("last_active").desc(nulls_last=True), "id")
    if filters.sort == "name":
        return people.order_by("last_name", "first_name", "id")
    return people.order_by("-relevance", F("last_active").desc(nulls_last=True), "id")


def empty_culprit(filters: SearchFilters) -> str:
    """When nobody matches: the label of the filter whose removal brings people back."""
    for key, label in filters.active():
        if candidate_search_queryset(filters.without(key)).exists():
            return label
    return ""


__all__ = [
    "SearchFilters",
    "candidate_search_queryset",
    "empty_culprit",
]
