"""Duplicates in the pool, and merging two rows of the same person into one.

Two rows are likely the same person when they share an email (any case), a phone number
(compared in E.164), or a similar name (trigram similarity) with the same postal code.

A merge keeps all history: every row of any model that points at the person merged away
(availability, assessments, languages, skills, offers, placements, marks, consents, the audit
trail...) is moved to the person kept, found by walking the models' foreign keys, as erasure
does, so a model added later is moved without anyone remembering it. The row merged away is
emptied and marked merged: it is never listed nor matched again.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.db import IntegrityError, connection, models, transaction
from django.db.models import ProtectedError
from django.utils import timezone
from django.utils.translation import gettext as _

from candidates.models import Candidate, CandidateCV, Consent, ConsentPurpose
from candidates.services.consent import candidate_benches_refresh_enqueue
from candidates.services.cv import cv_remove
from staffing.base.audit import audit_record
from staffing.base.models import User

# Two first names sharing a long surname reach 0.6 ("Aada Hämäläinen", "Axel Hämäläinen");
# a typo or an accent stays above 0.65 ("Aino Laine", "Aino Lainé": 0.67).
NAME_SIMILARITY = 0.65
MERGED_NAME = "–"
# Filled on the person kept from the one merged away when the kept one has none.
FILLED_FIELDS = (
    "email",
    "phone",
    "postal_code",
    "latitude",
    "longitude",
    "introduction",
    "availability",
    "availability_confirmed_at",
)

# The same person's number however spelled: digits (and a leading +) in E.164 for Finland.
# Written in SQL so that the pool's phones are compared without loading them (docs: the
# import's duplicate check runs over the whole pool in one query).
_DIGITS = "regexp_replace({col}, '[^0-9+]', '', 'g')"
PHONE_E164_SQL = (
    "CASE WHEN {d} LIKE '+%%' THEN {d} WHEN {d} LIKE '00%%' THEN '+' || substr({d}, 3) "
    "WHEN {d} LIKE '0%%' THEN '+358' || substr({d}, 2) ELSE '+' || {d} END"
)
LISTED_SQL = "{t}.status NOT IN ('erased', 'merged')"


def _phone_sql(column: str) -> str:
    return PHONE_E164_SQL.format(d=_DIGITS.format(col=column))


class MergeError(ValueError):
    """Two rows that cannot be merged; the message says why."""


def pool_matches(
    *, emails: list[str], phones: list[str], names: list[str], postal_codes: list[str]
) -> dict[int, set[str]]:
    """For people not yet in the pool (given as parallel lists), which are like someone who is:
    {index: {"email", "phone", "name"}}. One query for all of them."""
    table = Candidate._meta.db_table
    listed = LISTED_SQL.format(t="c")
    sql = f"""
        WITH r AS (
            SELECT * FROM unnest(%s::int[], %s::text[], %s::text[], %s::text[], %s::text[])
            AS r(i, email, phone, name, postal)
        )
        SELECT r.i, 'email' FROM r JOIN {table} c ON lower(c.email) = r.email
            WHERE r.email <> '' AND {listed}
        UNION
        SELECT r.i, 'phone' FROM r JOIN {table} c ON {_phone_sql("c.phone")} = r.phone
            WHERE r.phone <> '' AND c.phone <> '' AND {listed}
        UNION
        SELECT r.i, 'name' FROM r JOIN {table} c
            ON (c.first_name || ' ' || c.last_name) %% r.name AND c.postal_code = r.postal
            WHERE r.postal <> '' AND {listed}
    """
    found: dict[int, set[str]] = defaultdict(set)
    with transaction.atomic(), connection.cursor() as cursor:
        _similarity_threshold(cursor)
        cursor.execute(sql, [list(range(len(emails))), emails, phones, names, postal_codes])
        for index, kind in cursor.fetchall():
            found[index].add(kind)
    return dict(found)


def _similarity_threshold(cursor) -> None:
    """Names compare with `%` (similar to), which can use the names' trigram index (a join on
    `similarity() >= x` compares every pair with the same postal code: 14 s for 2,000 rows of
    an import in Helsinki); `%` uses this threshold, for this transaction only."""
    cursor.execute(
        "SELECT set_config('pg_trgm.similarity_threshold', %s, true)", [str(NAME_SIMILARITY)]
    )


@dataclass
class DuplicatePair:
    first: Candidate
    second: Candidate
    reasons: set[str] = field(default_factory=set)

    @property
    def reason_labels(self) -> list[str]:
        labels = {
            "email": _("same email"),
            "phone": _("same phone number"),
            "name": _("similar name, same postal code"),
        }
        return [labels[r] for r in sorted(self.reasons)]


def duplicate_pairs(
    *, candidate_ids: list[int] | None = None, limit: int = 100
) -> list[DuplicatePair]:
    """Pairs of listed people who are likely the same person, the older row first; only pairs
    with one of `candidate_ids` when given (an import's people)."""
    table = Candidate._meta.db_table
    both = f"{LISTED_SQL.format(t='a')} AND {LISTED_SQL.format(t='b')} AND a.id < b.id"
    only = " AND (a.id = ANY(%s) OR b.id = ANY(%s))" if candidate_ids is not None else ""
    sql = f"""
        SELECT a.id, b.id, 'email' FROM {table} a JOIN {table} b
            ON lower(a.email) = lower(b.email) WHERE a.email <> '' AND {both}{only}
        UNION
        SELECT a.id, b.id, 'phone' FROM {table} a JOIN {table} b
            ON {_phone_sql("a.phone")} = {_phone_sql("b.phone")}
            WHERE a.phone <> '' AND b.phone <> '' AND {both}{only}
        UNION
        SELECT a.id, b.id, 'name' FROM {table} a JOIN {table} b
            ON (a.first_name || ' ' || a.last_name) %% (b.first_name || ' ' || b.last_name)
            AND a.postal_code = b.postal_code
            WHERE a.postal_code <> '' AND {both}{only}
        ORDER BY 1, 2 LIMIT %s
    """
    ids_params: list[Any] = [candidate_ids, candidate_ids] if candidate_ids is not None else []
    params: list[Any] = [*ids_params, *ids_params, *ids_params, limit * 3]
    reasons: dict[tuple[int, int], set[str]] = defaultdict(set)
    with transaction.atomic(), connection.cursor() as cursor:
        _similarity_threshold(cursor)
        cursor.execute(sql, params)
        for a, b, kind in cursor.fetchall():
            reasons[(a, b)].add(kind)
    pairs = list(reasons.items())[:limit]
    people = Candidate.objects.in_bulk({pk for pair, _r in pairs for pk in pair})
    return [DuplicatePair(people[a], people[b], kinds) for (a, b), kinds in pairs]


def relations_to_candidate() -> list[tuple[type[models.Model], models.Field]]:
    """Every (model, field) whose foreign key or one-to-one points at a Candidate, but the
    candidate's own link to the row it was merged into."""
    found = []
    for model in apps.get_models():
        for f in model._meta.concrete_fields:
            if (
                f.is_relation
                and f.related_model is Candidate
                and (model, f.name)
                != (
                    Candidate,
                    "merged_into",
                )
            ):
                found.append((model, f))
    return found


@transaction.atomic
def candidate_merge(*, keep: Candidate, other: Candidate, by: User | None) -> Candidate:
    """Merge `other` into `keep`: move every row pointing at `other` to `keep`, fill `keep`'s
    empty fields from `other`, and mark `other` merged (emptied, never listed nor matched).

    Where `keep` already has the one row a constraint allows (a language, a skill, a day off,
    a bench place, an active consent, the activity row), `keep`'s row stays (languages and
    skills at the higher of the two levels) and `other`'s goes; a row that must be kept (a
    placement overlapping one of `keep`'s) stays on the merged row, reachable from it.
    Raises MergeError for the same row twice, a row already merged or erased, or two people
    who both have a login."""
    if keep.pk == other.pk:
        raise MergeError(_("A person cannot be merged with themselves."))
    locked = {
        c.pk: c
        for c in Candidate.objects.select_for_update()
        .filter(pk__in=[keep.pk, other.pk])
        .listed()
        .order_by("pk")
    }
    if len(locked) != 2:
        raise MergeError(_("One of the two has been merged or erased already."))
    keep, other = locked[keep.pk], locked[other.pk]
    if keep.user_id and other.user_id:
        raise MergeError(
            _(
                "Both have their own login: ask the person which account to keep and erase "
                "the other."
            )
        )
    filled = _fields_fill(keep, other)
    _levels_raise(keep, other)
    _consents_superseded(keep, other)
    if CandidateCV.objects.filter(candidate=keep).exists():
        cv_remove(candidate=other, by=by)
    user = other.user if other.user_id else None
    _tombstone(other, keep)
    if user is not None:
        keep.user = user
        filled.append("user")
    if other.status == Candidate.Status.ACTIVE:
        keep.status = Candidate.Status.ACTIVE
    keep.save()
    moved = _rows_move(other, keep)
    _consent_mirrors(keep)
    Candidate.objects.filter(pk__in=[keep.pk, other.pk]).touch()
    candidate_benches_refresh_enqueue(candidate=keep)
    candidate_benches_refresh_enqueue(candidate=other)
    audit_record(
        actor=by,
        action="candidate.merged",
        target=keep,
        candidate_id=keep.pk,
        data={"merged_id": other.pk, "fields": filled, "moved": moved},
    )
    audit_record(
        actor=by,
        action="candidate.merged_away",
        target=other,
        candidate_id=other.pk,
        data={"into_id": keep.pk},
    )
    keep.refresh_from_db()
    return keep


def _fields_fill(keep: Candidate, other: Candidate) -> list[str]:
    filled = []
    for name in FILLED_FIELDS:
        if getattr(keep, name) in ("", None, 0) and getattr(other, name) not in ("", None, 0):
            setattr(keep, name, getattr(other, name))
            filled.append(name)
    return filled


def _levels_raise(keep: Candidate, other: Candidate) -> None:
    """Languages and skills both rows have keep the higher level (the other's row then goes
    as a duplicate of the kept one)."""
    for related, key in ((keep.languages, "language"), (keep.skills, "skill_id")):
        mine = {getattr(r, key): r for r in related.all()}
        theirs = related.model._default_manager.filter(candidate=other)
        for row in theirs:
            kept = mine.get(getattr(row, key))
            if kept is not None and row.level > kept.level:
                kept.level = row.level
                kept.save(update_fields=["level"])


def _consents_superseded(keep: Candidate, other: Candidate) -> None:
    """Only one consent per purpose is in force: where both gave it, `other`'s record is
    closed at the merge (it stays as the record of what was agreed) and `keep`'s counts."""
    kept = Consent.objects.filter(candidate=keep, withdrawn_at__isnull=True).values("purpose")
    Consent.objects.filter(candidate=other, withdrawn_at__isnull=True, purpose__in=kept).update(
        withdrawn_at=timezone.now()
    )


def _tombstone(other: Candidate, keep: Candidate) -> None:
    Candidate.objects.filter(pk=other.pk).update(
        user=None,
        merged_into=keep,
        first_name=MERGED_NAME,
        last_name=MERGED_NAME,
        email="",
        phone="",
        postal_code="",
        latitude=None,
        longitude=None,
        introduction="",
        availability=0,
        availability_confirmed_at=None,
        matching_consent=False,
        presentation_consent=False,
        status=Candidate.Status.MERGED,
    )


def _rows_move(other: Candidate, keep: Candidate) -> dict[str, int]:
    """Point every row of `other` at `keep`; returns the rows moved per model. A row that would
    break a uniqueness rule (keep has its equivalent) is deleted; one another row protects
    stays with the merged-away row."""
    moved: dict[str, int] = {}
    for model, fk in relations_to_candidate():
        manager = model._default_manager
        rows = manager.filter(**{fk.attname: other.pk})
        try:
            with transaction.atomic():
                count = rows.update(**{fk.attname: keep.pk})
        except IntegrityError:
            count = _rows_move_one_by_one(manager, fk, other, keep)
        if count:
            moved[model._meta.label_lower] = count
    return moved


def _rows_move_one_by_one(manager, fk: models.Field, other: Candidate, keep: Candidate) -> int:
    count = 0
    for pk in list(manager.filter(**{fk.attname: other.pk}).values_list("pk", flat=True)):
        try:
            with transaction.atomic():
                count += manager.filter(pk=pk).update(**{fk.attname: keep.pk})
        except IntegrityError:
            # Only a row that would go with the person anyway (CASCADE) is dropped as the
            # duplicate of keep's; a protected one (a placement) stays on the merged row.
            if getattr(fk.remote_field, "on_delete", None) is not models.CASCADE:
                continue
            try:
                with transaction.atomic():
                    manager.filter(pk=pk).delete()
            except (ProtectedError, IntegrityError):
                continue
    return count


def _consent_mirrors(keep: Candidate) -> None:
    """The consent flags on the row mirror the consents in force after the move."""
    active = set(
        Consent.objects.filter(candidate=keep, withdrawn_at__isnull=True).values_list(
            "purpose", flat=True
        )
    )
    Candidate.objects.filter(pk=keep.pk).update(
        matching_consent=ConsentPurpose.MATCHING in active,
        presentation_consent=ConsentPurpose.PRESENTATION in active,
    )


__all__ = [
    "DuplicatePair",
    "MergeError",
    "candidate_merge",
    "duplicate_pairs",
    "pool_matches",
    "relations_to_candidate",
]
