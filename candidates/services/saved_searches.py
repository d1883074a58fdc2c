"""Saved searches: a recruiter names a Candidates-page query, and a periodic check emails them
about the people who start to match it.

Each person a search has matched is kept (`SavedSearchMatch`), so the owner hears about a
person once, whether they keep matching, stop, or match again later. When a search is saved,
everyone matching it then is its baseline: only people new since are announced. A check holds
the search's row lock, so two checks running at once cannot announce anyone twice.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from candidates.models import SavedSearch, SavedSearchMatch
from candidates.services.search import SearchContext, SearchFilters, candidate_search_queryset
from staffing.base.audit import audit_record, personal_data_views_record
from staffing.base.models import User
from staffing.base.outbox import email_queue

# At most this many people are kept per run as matches (a search matching more is too broad to
# announce person by person; the rest are announced by later runs).
MATCHES_PER_RUN = 5000
NAMES_IN_EMAIL = 20
# Parameters of the Candidates page that are not filters.
NOT_FILTERS = {"page", "csrfmiddlewaretoken", "name"}


class SavedSearchError(ValueError):
    """A search that cannot be saved; the message is for the user."""


def saved_search_query(params: QueryDict) -> str:
    """The filters of a Candidates-page URL as a canonical query string (empty values out)."""
    pairs = sorted(
        (key, value)
        for key in params
        if key not in NOT_FILTERS
        for value in params.getlist(key)
        if value.strip()
    )
    return urlencode(pairs)[:2000]


def saved_search_filters(
    search: SavedSearch, context: SearchContext | None = None
) -> SearchFilters:
    return SearchFilters.from_params(QueryDict(search.query), context)


@transaction.atomic
def saved_search_create(
    *, owner: User, name: str, params: QueryDict, context: SearchContext | None = None
) -> SavedSearch:
    """Save the query under a name; everyone it matches now is the baseline, not announced."""
    name = name.strip()[:100]
    if not name:
        raise SavedSearchError(_("Give the search a name."))
    query = saved_search_query(params)
    filters = SearchFilters.from_params(QueryDict(query), context)
    if filters.errors:
        raise SavedSearchError(
            _("Fix the search first: %(errors)s") % {"errors": " ".join(filters.errors)}
        )
    if not filters.active():
        raise SavedSearchError(_("Choose some filters or words to search for first."))
    try:
        with transaction.atomic():
            search = SavedSearch.objects.create(owner=owner, name=name, query=query)
    except IntegrityError:
        raise SavedSearchError(
            _("You already have a search called %(name)s.") % {"name": name}
        ) from None
    now = timezone.now()
    _matches_add(search, _matching_ids(filters, set()), now)
    SavedSearch.objects.filter(pk=search.pk).update(checked_at=now)
    audit_record(actor=owner, action="saved_search.created", target=search)
    return search


@transaction.atomic
def saved_search_delete(*, search: SavedSearch, by: User) -> None:
    audit_record(actor=by, action="saved_search.deleted", target=search)
    search.delete()


def _matching_ids(filters: SearchFilters, known: set[int]) -> list[int]:
    ids = candidate_search_queryset(filters).order_by().values_list("pk", flat=True)
    return [pk for pk in ids.iterator() if pk not in known][:MATCHES_PER_RUN]


def _matches_add(search: SavedSearch, ids: list[int], now: dt.datetime) -> None:
    SavedSearchMatch.objects.bulk_create(
        [SavedSearchMatch(search=search, candidate_id=pk, first_matched_at=now) for pk in ids],
        ignore_conflicts=True,
    )


def saved_search_check(
    *, search_id: int, now: dt.datetime | None = None, context: SearchContext | None = None
) -> int:
    """Announce the people who newly match one search; returns how many (0: no email)."""
    now = now or timezone.now()
    with transaction.atomic():
        search = (
            SavedSearch.objects.select_for_update()
            .select_related("owner")
            .filter(pk=search_id, owner__is_active=True)
            .first()
        )
        if search is None:
            return 0
        known = set(search.matches.values_list("candidate_id", flat=True))
        filters = saved_search_filters(search, context)
        new = [] if filters.errors else _matching_ids(filters, known)
        _matches_add(search, new, now)
        search.checked_at = now
        search.save(update_fields=["checked_at"])
        if new:
            _announce(search, filters, new, now)
    return len(new)


def _announce(
    search: SavedSearch, filters: SearchFilters, new: list[int], now: dt.datetime
) -> None:
    owner = search.owner
    people = list(candidate_search_queryset(filters).filter(pk__in=new)[:NAMES_IN_EMAIL])
    link = f"{settings.SITE_URL}{reverse('recruiter_candidates')}?{search.query}"
    email_queue(
        key=f"saved-search:{search.pk}:{now.isoformat()}",
        to=owner.email,
        language=owner.language,
        template="recruiter_saved_search",
        context={"search": search, "people": people, "count": len(new), "link": link},
    )
    # The email names the people: each sees it in their view log, like a search's results.
    personal_data_views_record(
        viewer=owner, candidate_ids=[p.pk for p in people], seen="search", target=owner
    )


def saved_searches_check(
    *, now: dt.datetime | None = None, context: SearchContext | None = None
) -> int:
    """The periodic run over every saved search of an active recruiter; returns the number of
    people announced."""
    ids = list(
        SavedSearch.objects.filter(owner__is_active=True)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    return sum(saved_search_check(search_id=pk, now=now, context=context) for pk in ids)
