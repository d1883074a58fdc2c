"""A synthetic candidate pool of any size, written with PostgreSQL COPY.

Benchmarks need 100,000 to 1,000,000 people quickly, so rows are drawn with vectorised numpy and
streamed with `COPY ... FROM STDIN` in batches, each batch its own transaction. The distributions
aim at a pool that looks like the agency's: most people in the big cities, Finnish mostly at
C1 or C2, English usually B2 or better, evening-and-weekend students beside full-week people, stale
availability for some, assessments for about 60 % and matching consent for about 95 %.

    from staffing.demo.candidates import generate_candidates
    generate_candidates(count=1_000_000, seed=1)   # returns the number of candidates written
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import json
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import cache

import numpy as np
from django.db import connection, models, transaction
from django.utils import timezone
from faker.providers.person.fi_FI import Provider as FinnishNames
from faker.providers.person.sv_SE import Provider as SwedishNames

from candidates.availability import bit
from candidates.models import (
    Assessment,
    Candidate,
    CandidateLanguage,
    CandidateSkill,
    DateOff,
    Skill,
)
from staffing.demo.places import sample_homes

DEFAULT_BATCH_SIZE = 50_000
NULL = r"\N"  # COPY's text format
# Demo people get addresses here, so that they can be told apart from real sign-ups.
EMAIL_DOMAIN = "demo.example.fi"
SWEDISH_SPEAKER_SHARE = 0.06

# (language, share of people who speak it, probabilities of A1..C2)
LANGUAGE_MIX: list[tuple[str, float, Sequence[float]]] = [
    ("en", 0.92, (0.0, 0.03, 0.12, 0.35, 0.35, 0.15)),
    ("sv", 0.50, (0.10, 0.25, 0.35, 0.20, 0.07, 0.03)),
    ("de", 0.05, (0.2, 0.3, 0.3, 0.15, 0.05, 0.0)),
    ("es", 0.03, (0.3, 0.3, 0.2, 0.1, 0.05, 0.05)),
    ("fr", 0.02, (0.3, 0.3, 0.2, 0.1, 0.05, 0.05)),
    ("ru", 0.05, (0.0, 0.05, 0.1, 0.15, 0.2, 0.5)),
    ("et", 0.03, (0.0, 0.05, 0.1, 0.15, 0.2, 0.5)),
    ("uk", 0.02, (0.0, 0.0, 0.1, 0.1, 0.2, 0.6)),
    ("ar", 0.02, (0.0, 0.0, 0.05, 0.1, 0.15, 0.7)),
    ("so", 0.015, (0.0, 0.0, 0.05, 0.1, 0.15, 0.7)),
    ("zh", 0.005, (0.0, 0.0, 0.1, 0.1, 0.2, 0.6)),
]
FINNISH_LEVELS = (0.0, 0.02, 0.05, 0.11, 0.20, 0.62)

# Skill codes and how likely a retail / an office person has each one.
SKILL_ODDS: dict[str, tuple[float, float]] = {
    "till-work": (0.75, 0.05),
    "product-advice": (0.55, 0.10),
    "phone-service": (0.10, 0.75),
    "chat-email-service": (0.05, 0.55),
    "complaint-handling": (0.25, 0.45),
    "sales": (0.40, 0.30),
    "upselling": (0.25, 0.20),
    "returns-exchanges": (0.35, 0.10),
    "b2b-service": (0.05, 0.25),
    "tech-support": (0.03, 0.25),
    "fashion-beauty": (0.20, 0.0),
    "electronics-advice": (0.15, 0.05),
    "fresh-counter": (0.20, 0.0),
    "crm-systems": (0.02, 0.40),
}

INTRODUCTIONS = [
    "Pidän asiakaspalvelusta ja uusien ihmisten kohtaamisesta.",
    "Opiskelen päivisin, illat ja viikonloput sopivat hyvin.",
    "Minulla on kokemusta kassatyöstä ja tuoteneuvonnasta.",
    "Olen työskennellyt puhelinasiakaspalvelussa kaksi vuotta.",
    "Rauhallinen ja kärsivällinen, myös hankalissa tilanteissa.",
]
SWEDISH_INTRODUCTION = "Jag trivs med kundservice och talar både svenska och finska."
SUMMARIES = [
    "Lämmin ja luonteva asiakaskohtaaminen.",
    "Selkeä viestijä, rauhallinen paineen alla.",
    "Hyvä myyntiote, kuuntelee asiakasta.",
    "Tarkka ja luotettava, kehitettävää lisämyynnissä.",
    "",
]


@dataclass(frozen=True)
class NamePool:
    first: np.ndarray
    first_p: np.ndarray
    last: np.ndarray
    last_p: np.ndarray


def _weighted(names: dict[str, float]) -> tuple[np.ndarray, np.ndarray]:
    values = np.array(list(names.values()), dtype=float)
    return np.array(list(names.keys())), values / values.sum()


@cache
def _name_pools() -> tuple[NamePool, NamePool]:
    """Finnish and Swedish name lists from Faker's locales, used directly: Faker per row is slow."""
    pools = []
    for provider in (FinnishNames, SwedishNames):
        first, first_p = _weighted({**provider.first_names_female, **provider.first_names_male})
        last, last_p = _weighted(dict(provider.last_names))
        pools.append(NamePool(first, first_p, last, last_p))
    return pools[0], pools[1]


def _ascii(name: str) -> str:
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return "".join(ch for ch in folded.lower() if ch.isalnum())


def _weekly_availability(rng: np.random.Generator, n: int) -> np.ndarray:
    """Weekly masks from a few typical patterns, each cell dropped now and then as people do."""
    evenings = sum(bit(d, 2) for d in range(7))
    weekends = sum(bit(d, p) for d in (5, 6) for p in range(3))
    weekday_days = sum(bit(d, 1) for d in range(5))
    weekday_mornings = sum(bit(d, 0) for d in range(5))
    full_week = (1 << 21) - 1
    # (mask, share of people, chance that each cell of the mask is kept)
    patterns = [
        (evenings | weekends, 0.22, 0.9),  # students
        (evenings | weekends | weekday_days, 0.18, 0.9),  # students with free afternoons
        (weekday_mornings | weekday_days, 0.22, 0.9),  # daytime
        (full_week, 0.20, 0.9),  # full week
        (full_week, 0.18, 0.5),  # irregular: about half the week
    ]
    masks = np.array([m for m, _, _ in patterns], dtype=np.int64)
    keep_odds = np.array([k for _, _, k in patterns])
    chosen = rng.choice(len(patterns), size=n, p=[s for _, s, _ in patterns])
    keep = rng.random((n, 21)) < keep_odds[chosen][:, None]
    kept_bits = keep.astype(np.int64) @ (1 << np.arange(21, dtype=np.int64))
    return masks[chosen] & kept_bits


def _levels(rng: np.random.Generator, n: int, probabilities: Sequence[float]) -> np.ndarray:
    p = np.array(probabilities, dtype=float)
    return rng.choice(np.arange(1, 7), size=n, p=p / p.sum())


def _copy(table: str, columns: Sequence[str], lines: Iterable[str]) -> None:
    buffer = io.StringIO()
    for line in lines:
        buffer.write(line)
        buffer.write("\n")
    buffer.seek(0)
    with connection.cursor() as cursor:
        cursor.copy_expert(f"COPY {table} ({', '.join(columns)}) FROM STDIN", buffer)


def _copy_text(value: object) -> str:
    if value is None:
        return NULL
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, dict | list):
        value = json.dumps(value)
    return str(value).replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")


def _other_columns(
    model: type[models.Model], generated: Sequence[str], now: dt.datetime
) -> tuple[list[str], str]:
    """Columns this generator does not draw, with their defaults as one COPY text suffix.

    Others add fields to these models; this keeps the generator working when they do.
    """
    names, values = [], []
    for field in model._meta.concrete_fields:
        if field.primary_key or field.column in generated or field.generated:
            continue
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            value: object = now
        elif field.has_default():
            value = field.get_default()
        elif field.null:
            value = None
        else:
            raise RuntimeError(f"{model.__name__}.{field.name} needs a value in the demo generator")
        names.append(field.column)
        values.append(_copy_text(value))
    return names, "".join("\t" + v for v in values)


def _may_skip_trigger_checks() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        row = cursor.fetchone()
    return bool(row and row[0])


@contextlib.contextmanager
def _trigger_checks_skipped(skip: bool) -> Iterator[None]:
    """Skip the per-row foreign-key triggers inside the block, as pg_restore does.

    Every child row points at a candidate written in the same batch or at an existing skill, so
    the checks cannot fail; skipping them halves the time of a million-person pool. Only a
    superuser may do this; other roles keep the checks. The setting is put back afterwards, so a
    caller's surrounding transaction (a test, say) keeps its checks.
    """
    if not skip:
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")
    # On an error the enclosing atomic block rolls back, and that undoes the SET LOCAL too.
    yield
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = origin")


def _reserve_ids(n: int) -> np.ndarray:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [Candidate._meta.db_table, n],
        )
        return np.array([row[0] for row in cursor.fetchall()], dtype=np.int64)


def _write_candidates(rng: np.random.Generator, ids: np.ndarray, now: dt.datetime) -> dict:
    """Candidate rows; returns the per-person facts the child tables need."""
    n = len(ids)
    finnish, swedish = _name_pools()
    swedish_speaker = rng.random(n) < SWEDISH_SPEAKER_SHARE
    first = np.where(
        swedish_speaker,
        rng.choice(swedish.first, size=n, p=swedish.first_p),
        rng.choice(finnish.first, size=n, p=finnish.first_p),
    )
    last = np.where(
        swedish_speaker,
        rng.choice(swedish.last, size=n, p=swedish.last_p),
        rng.choice(finnish.last, size=n, p=finnish.last_p),
    )
    codes, lats, lons = sample_homes(rng, n)
    travel = rng.choice(
        [5, 10, 15, 20, 25, 30, 40, 50], size=n, p=[0.05, 0.15, 0.15, 0.25, 0.15, 0.13, 0.07, 0.05]
    )
    role = rng.choice(3, size=n, p=[0.45, 0.20, 0.35])  # retail only, office only, both
    retail, office = role != 1, role != 0
    active = rng.random(n) < 0.96
    consent = rng.random(n) < 0.95
    availability = _weekly_availability(rng, n)
    confirmed_days = 60 * rng.beta(1.2, 2.5, size=n)
    created_days = confirmed_days + rng.uniform(0, 700, size=n)
    phones = rng.integers(1_000_000, 9_999_999, size=n)
    # Most leave the introduction empty; Swedish speakers who write one write it in Swedish.
    intro = np.where(
        rng.random(n) < 0.25,
        np.where(swedish_speaker, SWEDISH_INTRODUCTION, rng.choice(INTRODUCTIONS, size=n)),
        "",
    )

    generated = [
        "id",
        "first_name",
        "last_name",
        "email",
        "phone",
        "postal_code",
        "latitude",
        "longitude",
        "max_travel_km",
        "works_retail",
        "works_office",
        "status",
        "matching_consent",
        "presentation_consent",
        "availability",
        "availability_confirmed_at",
        "introduction",
        "created_at",
        "updated_at",
    ]
    others, suffix = _other_columns(Candidate, generated, now)
    stamp = now.isoformat()
    lines = (
        f"{cid}\t{fn}\t{ln}\t{_ascii(fn)}.{_ascii(ln)}.{cid}@{EMAIL_DOMAIN}\t+35840{ph}\t{pc}\t"
        f"{la}\t{lo}\t{tr}\t{'t' if re else 'f'}\t{'t' if of else 'f'}\t"
        f"{'active' if ac else 'inactive'}\t{'t' if co else 'f'}\t{'t' if co else 'f'}\t{av}\t"
        f"{(now - dt.timedelta(days=cd)).isoformat()}\t"
        f"{it}\t"
        f"{(now - dt.timedelta(days=crd)).isoformat()}\t{stamp}{suffix}"
        for cid, fn, ln, ph, pc, la, lo, tr, re, of, ac, co, av, cd, it, crd in zip(
            ids.tolist(),
            first.tolist(),
            last.tolist(),
            phones.tolist(),
            codes.tolist(),
            lats.tolist(),
            lons.tolist(),
            travel.tolist(),
            retail.tolist(),
            office.tolist(),
            active.tolist(),
            consent.tolist(),
            availability.tolist(),
            confirmed_days.tolist(),
            intro.tolist(),
            created_days.tolist(),
            strict=True,
        )
    )
    _copy(Candidate._meta.db_table, generated + others, lines)
    return {"swedish_speaker": swedish_speaker, "retail": retail, "office": office}


def _write_languages(rng: np.random.Generator, ids: np.ndarray, facts: dict) -> np.ndarray:
    """Language rows; returns each person's Finnish level (0 = none) for assessments."""
    n = len(ids)
    swedish_speaker = facts["swedish_speaker"]
    has_finnish = rng.random(n) < 0.97
    fi_level = np.where(has_finnish, _levels(rng, n, FINNISH_LEVELS), 0)
    fi_level = np.where(swedish_speaker, rng.choice([4, 5, 6], size=n), fi_level)
    rows_ids, rows_lang, rows_level = [ids[fi_level > 0]], [], [fi_level[fi_level > 0]]
    rows_lang.append(np.full(len(rows_ids[0]), "fi"))
    for language, share, probabilities in LANGUAGE_MIX:
        speaks = rng.random(n) < share
        level = _levels(rng, n, probabilities)
        if language == "sv":
            speaks |= swedish_speaker
            level = np.where(swedish_speaker, 6, level)
        rows_ids.append(ids[speaks])
        rows_lang.append(np.full(int(speaks.sum()), language))
        rows_level.append(level[speaks])
    lines = (
        f"{c}\t{lang}\t{lvl}"
        for c, lang, lvl in zip(
            np.concatenate(rows_ids).tolist(),
            np.concatenate(rows_lang).tolist(),
            np.concatenate(rows_level).tolist(),
            strict=True,
        )
    )
    _copy(CandidateLanguage._meta.db_table, ["candidate_id", "language", "level"], lines)
    return fi_level


def _write_skills(
    rng: np.random.Generator, ids: np.ndarray, facts: dict, skill_ids: dict[str, int]
) -> None:
    codes = [code for code in SKILL_ODDS if code in skill_ids]
    retail_odds = np.array([SKILL_ODDS[c][0] for c in codes])
    office_odds = np.array([SKILL_ODDS[c][1] for c in codes])
    odds = np.maximum(
        facts["retail"][:, None] * retail_odds, facts["office"][:, None] * office_odds
    )
    has = rng.random((len(ids), len(codes))) < odds
    person, skill = np.nonzero(has)
    levels = rng.choice([1, 2, 3], size=len(person), p=[0.3, 0.5, 0.2])
    column_ids = np.array([skill_ids[c] for c in codes])
    lines = (
        f"{c}\t{s}\t{lvl}"
        for c, s, lvl in zip(
            ids[person].tolist(), column_ids[skill].tolist(), levels.tolist(), strict=True
        )
    )
    _copy(CandidateSkill._meta.db_table, ["candidate_id", "skill_id", "level"], lines)


def _write_dates_off(rng: np.random.Generator, ids: np.ndarray, today: dt.date) -> None:
    """About a third of people have a few dates off in the coming month."""
    takes_time_off = rng.random(len(ids)) < 0.33
    off = (rng.random((len(ids), 30)) < 0.07) & takes_time_off[:, None]
    person, day = np.nonzero(off)
    dates = [(today + dt.timedelta(days=d)).isoformat() for d in range(30)]
    lines = (f"{c}\t{dates[d]}" for c, d in zip(ids[person].tolist(), day.tolist(), strict=True))
    _copy(DateOff._meta.db_table, ["candidate_id", "date"], lines)


def _write_assessments(
    rng: np.random.Generator,
    ids: np.ndarray,
    fi_level: np.ndarray,
    now: dt.datetime,
    assessed_by_id: int | None,
) -> None:
    assessed = rng.random(len(ids)) < 0.6
    n = int(assessed.sum())
    scores = rng.choice([1, 2, 3, 4, 5], size=(n, 3), p=[0.02, 0.08, 0.30, 0.40, 0.20])
    days_ago = rng.uniform(0, 365, size=n)
    checked = (rng.random(n) < 0.7) & (fi_level[assessed] > 0)
    summary = rng.integers(0, len(SUMMARIES), size=n)
    by, notes = _copy_text(assessed_by_id), ""
    generated = [
        "candidate_id",
        "assessed_by_id",
        "assessed_at",
        "service_attitude",
        "communication",
        "sales",
        "language_checked",
        "language_level_verified",
        "summary",
        "notes",
    ]
    others, suffix = _other_columns(Assessment, generated, now)
    lines = (
        f"{c}\t{by}\t{(now - dt.timedelta(days=d)).isoformat()}\t{s[0]}\t{s[1]}\t{s[2]}\t"
        f"{'fi' if ch else ''}\t{lvl if ch else NULL}\t{SUMMARIES[su]}\t{notes}{suffix}"
        for c, d, s, ch, lvl, su in zip(
            ids[assessed].tolist(),
            days_ago.tolist(),
            scores.tolist(),
            checked.tolist(),
            fi_level[assessed].tolist(),
            summary.tolist(),
            strict=True,
        )
    )
    _copy(Assessment._meta.db_table, generated + others, lines)


def generate_candidates(
    *,
    count: int,
    seed: int = 1,
    batch_size: int = DEFAULT_BATCH_SIZE,
    assessed_by_id: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Write `count` synthetic candidates with languages, skills, dates off and assessments.

    Each batch of `batch_size` people is drawn from `seed` and the batch's position, and committed
    on its own, so a run can be watched (`progress` gets the running total) and an interrupted
    one keeps what it wrote. Needs the skill taxonomy (candidates migration 0003) in the database.
    Every row's `updated_at` is the time of its batch, so a running worker's pool picks it up.
    Returns the number of candidates written.
    """
    skill_ids = dict(Skill.objects.values_list("code", "id"))
    skip_checks = _may_skip_trigger_checks()
    written = 0
    while written < count:
        n = min(batch_size, count - written)
        rng = np.random.default_rng([seed, written])
        now = timezone.now()
        with transaction.atomic(), _trigger_checks_skipped(skip_checks):
            ids = _reserve_ids(n)
            facts = _write_candidates(rng, ids, now)
            fi_level = _write_languages(rng, ids, facts)
            _write_skills(rng, ids, facts, skill_ids)
            _write_dates_off(rng, ids, timezone.localdate(now))
            _write_assessments(rng, ids, fi_level, now, assessed_by_id)
        written += n
        if progress is not None:
            progress(written)
    return written


def demo_candidate_count() -> int:
    """How many generated demo people are in the pool (real sign-ups are not counted)."""
    return Candidate.objects.filter(email__endswith=f"@{EMAIL_DOMAIN}").count()
