"""The worker's match in a burst: a request together with others waiting, in one transaction."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, transaction

from staffing.matching.replay import shortlist_replay
from staffing.models import AuditEvent, Shortlist, StaffingRequest
from staffing.services.matching import entries_copy, shortlists_build
from tests.staffing.matching.test_service import make_request, speaker

pytestmark = pytest.mark.django_db


def _status(request) -> str:
    request.refresh_from_db()
    return request.status


def test_a_match_takes_the_oldest_waiting_requests_with_it():
    people = [speaker() for _ in range(3)]
    requests = [make_request() for _ in range(4)]
    own = requests[2]

    shortlist = shortlists_build(request_id=own.pk, batch=3)

    # Its own request first, then the two oldest others; the newest still waits.
    assert shortlist is not None and shortlist.request_id == own.pk
    built = {s.request_id: s for s in Shortlist.objects.all()}
    assert set(built) == {own.pk, requests[0].pk, requests[1].pk}
    assert _status(requests[3]) == StaffingRequest.Status.RECEIVED
    for request in requests[:3]:
        assert _status(request) == StaffingRequest.Status.SHORTLISTED
        stored = built[request.pk]
        assert sorted(e.candidate_id for e in stored.ranked) == sorted(p.pk for p in people)
        assert AuditEvent.objects.get(
            action="shortlist.created", staffing_request=request
        ).data == {"entries": 3, "near_misses": 0, "rules_version": stored.rules_version}
        # Each is exactly the engine's ranking of its own stored inputs.
        replayed = shortlist_replay(rules_version=stored.rules_version, inputs=stored.inputs)
        assert [(e.candidate_id, e.score) for e in replayed.ranked] == [
            (e.candidate_id, e.score) for e in stored.ranked
        ]
        assert [e.explanation for e in replayed.ranked] == [e.explanation for e in stored.ranked]


def test_a_request_matched_elsewhere_is_left_alone_but_others_are_taken():
    speaker()
    done, waiting = make_request(), make_request()
    assert shortlists_build(request_id=done.pk, batch=1) is not None

    assert shortlists_build(request_id=done.pk, batch=4) is None

    assert Shortlist.objects.filter(request=done).count() == 1
    assert _status(waiting) == StaffingRequest.Status.SHORTLISTED


def test_requests_in_other_states_are_never_taken():
    speaker()
    own = make_request()
    cancelled = make_request(status=StaffingRequest.Status.CANCELLED)

    shortlists_build(request_id=own.pk, batch=4)

    assert not Shortlist.objects.filter(request=cancelled).exists()
    assert _status(cancelled) == StaffingRequest.Status.CANCELLED


@pytest.mark.django_db(transaction=True)
def test_a_request_another_transaction_holds_is_skipped_then_waited_for():
    """Others are matched without waiting for a held request; the held one is then waited for,
    and what the holder did is respected (here: cancelled)."""
    speaker()
    held, other, blocked_other = make_request(), make_request(), make_request()
    locked, release, result = threading.Event(), threading.Event(), {}

    def holder() -> None:
        try:
            with transaction.atomic():
                StaffingRequest.objects.select_for_update().filter(
                    pk__in=[held.pk, blocked_other.pk]
                ).update(notes="held")
                locked.set()
                release.wait(20)
                StaffingRequest.objects.filter(pk=held.pk).update(
                    status=StaffingRequest.Status.CANCELLED
                )
        finally:
            connection.close()

    def matcher() -> None:
        try:
            result["shortlist"] = shortlists_build(request_id=held.pk, batch=4)
        finally:
            connection.close()

    threads = [threading.Thread(target=holder), threading.Thread(target=matcher)]
    threads[0].start()
    assert locked.wait(10)
    threads[1].start()
    # The free request is matched while the held ones are still held.
    for _ in range(200):
        if _status(other) == StaffingRequest.Status.SHORTLISTED:
            break
        threads[1].join(0.05)
    assert _status(other) == StaffingRequest.Status.SHORTLISTED
    assert threads[1].is_alive()  # now waiting for `held`
    release.set()
    for thread in threads:
        thread.join(20)

    assert result == {"shortlist": None}
    assert _status(held) == StaffingRequest.Status.CANCELLED
    assert not Shortlist.objects.filter(request=held).exists()
    # The other held request was skipped, not waited for: it waits for its own task.
    assert _status(blocked_other) == StaffingRequest.Status.RECEIVED


def test_without_automatic_matching_a_batch_gets_empty_shortlists(settings):
    settings.AUTOMATIC_MATCHING = False
    speaker()
    requests = [make_request() for _ in range(2)]

    shortlists_build(request_id=requests[1].pk, batch=2)

    for request in requests:
        assert _status(request) == StaffingRequest.Status.SHORTLISTED
        assert not Shortlist.objects.get(request=request).entries.exists()


def test_explanations_go_in_and_come_out_unchanged_whatever_they_hold():
    """Entries are stored with COPY's text format: backslashes, tabs, newlines, quotes, \\N and
    non-ASCII in an explanation must survive."""
    speaker()
    request = make_request()
    shortlist = shortlists_build(request_id=request.pk, batch=1)
    tricky = {
        "text": 'a\\b\tc\nd\re "quoted" \\N Ääkkönen ✓',
        "nested": [{"x": 1.5, "y": None, "z": True}],
        "score": 0.1 + 0.2,
    }
    other = speaker()
    with connection.cursor() as cursor:
        entries_copy(cursor, [(shortlist.pk, other.pk, 99, 12.34, True, tricky)])
    stored = shortlist.entries.get(candidate=other)
    assert stored.explanation == tricky
    assert (stored.rank, stored.score, stored.near_miss) == (99, 12.34, True)
