"""Every background hand-off survives a lost message, a dead worker and a stalled Redis."""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import re
import smtplib
import socket
import threading
import time
import uuid
from pathlib import Path

import pytest
from django.core import mail
from django.core.mail.backends import locmem
from django.db import OperationalError
from django.urls import reverse
from django.utils import timezone

from staffing import tasks
from staffing.base.outages import broker_breaker, cache_breaker
from staffing.base.outbox import (
    MAX_ATTEMPTS,
    email_message_id,
    email_send,
    emails_send,
    emails_stuck_reclaim,
)
from staffing.base.queueing import task_enqueue
from staffing.celery import app
from staffing.models import Bench, Offer, OutboundEmail, Placement, StaffingRequest
from staffing.services import pool as pool_service
from staffing.services.bench import bench_refresh
from staffing.services.bench_requests import bench_refresh_request
from staffing.services.feedback import presented_decline
from staffing.services.offers import offer_accept
from staffing.services.pool import pool_current, pool_keeper, pool_reset
from staffing.services.shortlists import shortlist_approve
from tests import factories as f
from tests.conftest import run_queued
from tests.staffing.approved_requests import approved_request

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]


# --- The pool keeper ------------------------------------------------------------------------------


@pytest.fixture
def fresh_pool():
    pool_reset()
    yield
    pool_reset()


def test_a_recount_with_no_recent_shortlists_does_not_stop_matching(fresh_pool):
    """The quiet-hours bug: ten minutes without a shortlist made every later match fail."""
    f.CandidateFactory.create_batch(2)
    pool_current()
    pool_keeper().recounted_at = -1e9  # the recount is due, and no shortlist was made lately
    assert pool_current().size >= 2
    assert pool_keeper().recounted_at > 0


def test_the_keeper_reloads_after_any_error_in_its_catch_up(fresh_pool, monkeypatch, caplog):
    people = f.CandidateFactory.create_batch(2)
    pool_current()
    calls = {"n": 0}
    original = pool_service.PoolKeeper._changes

    def broken_once(self):
        calls["n"] += 1
        if calls["n"] == 1:
            raise TypeError("a bug in the catch-up")
        return original(self)

    monkeypatch.setattr(pool_service.PoolKeeper, "_changes", broken_once)
    newcomer = f.CandidateFactory()
    with caplog.at_level(logging.ERROR, logger="staffing.services.pool"):
        pool = pool_current()  # this very match goes on, on a pool loaded afresh
    assert (pool.index_of([p.pk for p in [*people, newcomer]]) >= 0).all()
    assert len([r for r in caplog.records if "catch-up failed" in r.getMessage()]) == 1
    pool_current()  # and the next one catches up as usual
    assert calls["n"] >= 2


def test_a_database_error_in_the_catch_up_fails_one_match_and_the_next_reloads(
    fresh_pool, monkeypatch
):
    f.CandidateFactory()
    pool_current()

    def database_gone(self):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(pool_service.PoolKeeper, "_changes", database_gone)
    with pytest.raises(OperationalError):
        pool_current()
    assert pool_keeper().pool is None
    monkeypatch.undo()
    later = f.CandidateFactory()
    assert (pool_current().index_of([later.pk]) >= 0).all()


def test_a_failed_recount_or_preparation_does_not_stop_matching(fresh_pool, monkeypatch):
    f.CandidateFactory()

    def broken(*args, **kwargs):
        raise ValueError("a bug in the preparation")

    monkeypatch.setattr(pool_service, "pool_prepare_profiles", broken)
    pool_current()  # loaded without the head start
    monkeypatch.setattr(pool_service.PoolKeeper, "_recount_recent", broken)
    pool_keeper().recounted_at = -1e9
    assert pool_current() is not None
    monkeypatch.undo()
    assert pool_current() is not None


def test_matching_goes_on_after_the_recount_period_with_no_recent_shortlists(fresh_pool, settings):
    """A match, a quiet period longer than the recount period, then a match again."""
    settings.POOL_RECOUNT_SECONDS = 0.01
    profile = f.ServiceProfileFactory()
    f.CandidateFactory()
    first = f.StaffingRequestFactory(service_profile=profile)
    f.ShiftFactory(request=first)
    assert tasks.match_request(first.pk) is not None
    pool_keeper().recounted_at -= 1  # the period has passed
    from staffing.models import Shortlist

    Shortlist.objects.update(created_at=timezone.now() - dt.timedelta(minutes=5))
    second = f.StaffingRequestFactory(service_profile=profile)
    f.ShiftFactory(request=second)
    assert tasks.match_request(second.pk) is not None


# --- Emails ---------------------------------------------------------------------------------------


def _email(**fields) -> OutboundEmail:
    return OutboundEmail.objects.create(
        key=fields.pop("key", "test:1"),
        to="someone@example.fi",
        language="fi",
        subject="Hei",
        body="Teksti",
        **fields,
    )


def test_an_email_left_sending_by_a_dead_worker_is_sent_again_with_the_same_message_id(settings):
    email = _email()
    assert email_send(email_id=email.pk)
    first_id = mail.outbox[0].extra_headers["Message-ID"]
    # A worker that claimed it and died before finishing leaves it "sending".
    OutboundEmail.objects.filter(pk=email.pk).update(
        status=OutboundEmail.Status.SENDING,
        claimed_at=timezone.now() - dt.timedelta(seconds=settings.EMAIL_SENDING_TIMEOUT_SECONDS),
    )
    assert emails_stuck_reclaim() == 1
    assert email_send(email_id=email.pk)
    assert mail.outbox[1].extra_headers["Message-ID"] == first_id == email_message_id(email)
    email.refresh_from_db()
    assert email.status == OutboundEmail.Status.SENT and email.attempts == 2


class RefusingBackend(locmem.EmailBackend):
    """The test mail server, refusing one address (as a server answering 550 would)."""

    def send_messages(self, messages):
        if any("refused@example.fi" in m.to for m in messages):
            raise smtplib.SMTPRecipientsRefused({"refused@example.fi": (550, b"No such user")})
        return super().send_messages(messages)


def test_a_batch_claims_once_sends_the_rest_when_one_is_refused_and_leaves_it_to_the_sweep(
    settings, django_assert_max_num_queries
):
    settings.EMAIL_BACKEND = "tests.staffing.test_handoffs.RefusingBackend"
    emails = [_email(key=f"batch:{i}") for i in range(5)]
    OutboundEmail.objects.filter(pk=emails[2].pk).update(to="refused@example.fi")
    taken = _email(key="batch:taken", status=OutboundEmail.Status.SENDING)
    ids = [e.pk for e in emails] + [taken.pk]
    with django_assert_max_num_queries(6):  # claim (3), sent (1), the refused one (1)
        assert emails_send(email_ids=ids) == 4
    assert sorted(m.to[0] for m in mail.outbox) == ["someone@example.fi"] * 4
    statuses = dict(OutboundEmail.objects.values_list("key", "status"))
    assert statuses.pop("batch:2") == OutboundEmail.Status.PENDING  # for the sweep
    assert statuses.pop("batch:taken") == OutboundEmail.Status.SENDING  # another worker's
    assert set(statuses.values()) == {OutboundEmail.Status.SENT}
    # Sent at most once: the same batch again sends nothing more but retries the refused one.
    assert emails_send(email_ids=ids) == 0
    assert len(mail.outbox) == 4
    refused = OutboundEmail.objects.get(key="batch:2")
    assert refused.attempts == 2 and refused.status == OutboundEmail.Status.PENDING


def test_an_unreachable_mail_server_leaves_the_whole_batch_to_the_sweep(settings, monkeypatch):
    emails = [_email(key=f"down:{i}") for i in range(3)]

    def unreachable(self):
        raise ConnectionRefusedError(111, "Connection refused")

    monkeypatch.setattr(locmem.EmailBackend, "open", unreachable, raising=False)
    assert emails_send(email_ids=[e.pk for e in emails]) == 0
    assert not mail.outbox
    assert set(OutboundEmail.objects.values_list("status", flat=True)) == {
        OutboundEmail.Status.PENDING
    }


def test_a_fresh_claim_is_left_alone_and_a_hopeless_one_is_marked_failed(settings):
    now = timezone.now()
    fresh = _email(key="a", status=OutboundEmail.Status.SENDING, claimed_at=now, attempts=1)
    old = now - dt.timedelta(seconds=settings.EMAIL_SENDING_TIMEOUT_SECONDS + 1)
    hopeless = _email(
        key="b", status=OutboundEmail.Status.SENDING, claimed_at=old, attempts=MAX_ATTEMPTS
    )
    assert emails_stuck_reclaim() == 0
    fresh.refresh_from_db()
    hopeless.refresh_from_db()
    assert fresh.status == OutboundEmail.Status.SENDING
    assert hopeless.status == OutboundEmail.Status.FAILED


def test_the_email_sweep_reclaims_and_queues_across_its_period(settings, queued_tasks):
    settings.EMAIL_SENDING_TIMEOUT_SECONDS = 60
    email = _email(status=OutboundEmail.Status.SENDING, claimed_at=timezone.now(), attempts=1)
    OutboundEmail.objects.filter(pk=email.pk).update(
        created_at=timezone.now() - dt.timedelta(minutes=5)
    )
    assert tasks.sweep_unsent_emails() == 0  # still within its sending timeout
    OutboundEmail.objects.filter(pk=email.pk).update(
        claimed_at=timezone.now() - dt.timedelta(seconds=61)
    )
    assert tasks.sweep_unsent_emails() == 1  # past it: back to the queue
    assert queued_tasks == [("staffing.tasks.send_email", (email.pk,))]
    run_queued(queued_tasks)
    email.refresh_from_db()
    assert email.status == OutboundEmail.Status.SENT
    assert tasks.sweep_unsent_emails() == 0


# --- Offers after approval, declines and no-shows -------------------------------------------------


def test_approval_queues_the_first_wave_by_name_and_the_sweep_sends_it_if_lost(
    queued_tasks, django_capture_on_commit_callbacks
):
    world = approved_request(headcount=1, people=4)
    req = world.request
    req.status = StaffingRequest.Status.SHORTLISTED
    req.save()
    shortlist = req.current_shortlist
    shortlist.approved_at = None
    shortlist.save()
    recruiter = f.RecruiterFactory()
    with django_capture_on_commit_callbacks(execute=True):
        shortlist_approve(shortlist=shortlist, by=recruiter)
    assert queued_tasks == [("staffing.tasks.send_first_offer_wave", (req.pk, recruiter.pk))]
    queued_tasks.clear()  # the message is lost
    assert req.offers.count() == 0
    assert tasks.advance_offer_waves() == 2  # the sweep sends the first wave
    req.refresh_from_db()
    assert req.status == StaffingRequest.Status.OFFERING
    assert tasks.advance_offer_waves() == 0  # and only once


def test_the_first_wave_task_sends_the_offers_as_the_recruiter(queued_tasks):
    world = approved_request(headcount=1, people=3)
    recruiter = f.RecruiterFactory()
    assert tasks.send_first_offer_wave(world.request.pk, recruiter.pk) == 2
    assert tasks.send_first_offer_wave(world.request.pk, recruiter.pk) == 0
    assert tasks.send_first_offer_wave(987654321, recruiter.pk) == 0


def test_a_client_decline_is_backfilled_by_the_sweep_when_its_task_is_lost(
    queued_tasks, django_capture_on_commit_callbacks
):
    world = approved_request(headcount=1, people=4)
    tasks.send_first_offer_wave(world.request.pk, None)
    offer = world.request.offers.order_by("pk").first()
    offer_accept(offer=offer, by=offer.candidate.user)
    world.request.refresh_from_db()
    assert world.request.status == StaffingRequest.Status.FILLED
    with django_capture_on_commit_callbacks(execute=True):
        presented_decline(
            staffing_request=world.request,
            candidate=offer.candidate,
            by=world.manager,
            reason="Not the right fit",
        )
    assert ("staffing.tasks.backfill_request", world.request.pk) in [
        (name, args[0]) for name, args in queued_tasks
    ]
    queued_tasks.clear()  # lost
    world.request.refresh_from_db()
    assert world.request.status == StaffingRequest.Status.OFFERING
    # The first wave's other offer has run out meanwhile: nothing pending covers the place.
    Offer.objects.filter(request=world.request, status=Offer.Status.PENDING).update(
        deadline=timezone.now() - dt.timedelta(minutes=1)
    )
    assert tasks.advance_offer_waves() == 2  # the sweep offers the reopened place
    assert world.request.offers.pending().count() == 2
    assert not world.request.offers.pending().filter(candidate=offer.candidate).exists()
    assert not Placement.objects.filter(request=world.request, status="confirmed").exists()


# --- Benches --------------------------------------------------------------------------------------


def test_a_lost_refresh_now_is_done_by_the_bench_sweep(queued_tasks, fresh_pool):
    profile = f.ServiceProfileFactory()
    bench = bench_refresh(profile_id=profile.pk)
    assert tasks.refresh_stale_benches() == 0  # nothing asked, nothing changed
    recruiter = f.RecruiterFactory()
    bench_refresh_request(profile=profile, by=recruiter)
    queued_tasks.clear()  # the message is lost
    assert tasks.refresh_stale_benches() == 1
    assert Bench.objects.get(pk=bench.pk).refreshed_at > bench.refreshed_at
    assert tasks.refresh_stale_benches() == 0


def test_a_changed_person_reaches_the_bench_through_the_sweep_when_the_task_is_lost(
    queued_tasks, fresh_pool
):
    from candidates.models import Candidate

    profile = f.ServiceProfileFactory()
    f.TypicalShiftFactory(profile=profile)
    bench_refresh(profile_id=profile.pk)
    assert tasks.refresh_stale_benches() == 0
    person = f.CandidateFactory()  # new in the pool; its refresh task never ran
    Candidate.objects.filter(pk=person.pk).update(updated_at=timezone.now())
    assert tasks.refresh_stale_benches() == 1
    assert Bench.objects.get(profile=profile).entries.filter(candidate=person).exists()
    assert tasks.refresh_stale_benches() == 0  # the mark moved on


def test_profiles_without_a_bench_get_one_from_the_sweep(fresh_pool):
    profile = f.ServiceProfileFactory()
    assert tasks.refresh_stale_benches() == 1
    assert Bench.objects.filter(profile=profile).exists()


# --- The broker and the cache ---------------------------------------------------------------------


class _SilentRedis:
    """A TCP server on loopback that accepts connections and never answers: a paused Redis."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.port = self.sock.getsockname()[1]
        self.held: list[socket.socket] = []
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.held.append(conn)

    def close(self) -> None:
        self.sock.close()
        for conn in self.held:
            conn.close()


@pytest.fixture
def silent_redis():
    server = _SilentRedis()
    yield f"redis://127.0.0.1:{server.port}/0"
    server.close()


def test_publishing_keeps_its_connection_and_survives_one_redis_closed(monkeypatch):
    """Before: kombu closed each publishing connection on release (3.7 ms a publish, a new
    connection each time); now the process keeps them, and one Redis dropped is reopened."""
    import redis as redis_client
    from celery import Celery
    from django.conf import settings

    from staffing.base import queueing

    probe = Celery("probe", set_as_current=False)  # its own queue: nobody consumes it
    probe.config_from_object("django.conf:settings", namespace="CELERY")
    probe.conf.task_routes = None
    probe.conf.task_default_queue = f"probe-{uuid.uuid4().hex}"
    monkeypatch.setattr(queueing, "app", probe)
    opened: list[tuple[str, int]] = []  # the local address of each socket it opened
    real_connect = redis_client.connection.Connection._connect

    def connect(self):
        sock = real_connect(self)
        opened.append(sock.getsockname()[:2])
        return sock

    monkeypatch.setattr(redis_client.connection.Connection, "_connect", connect)
    broker_breaker.reset()
    server = redis_client.Redis.from_url(settings.CELERY_BROKER_URL)
    try:
        assert task_enqueue("tests.nothing", 1)
        first = len(opened)
        for n in range(2, 7):
            assert task_enqueue("tests.nothing", n)
        assert len(opened) == first  # the same connection, five more times
        # Redis closes this process's publishing connections (a restart, an idle timeout);
        # only those: others on the same server (a worker, another suite) are left alone.
        for host, port in list(opened):
            with contextlib.suppress(redis_client.ResponseError):
                server.client_kill(f"{host}:{port}")
        assert task_enqueue("tests.nothing", 7)  # reconnected, not left to the sweep
        assert not broker_breaker.is_open()
        assert server.llen(probe.conf.task_default_queue) == 7
    finally:
        server.delete(probe.conf.task_default_queue)
        broker_breaker.reset()
        queueing._pools.clear()


def test_publishing_to_a_stalled_redis_gives_up_quickly_and_then_not_at_all(
    silent_redis, monkeypatch
):
    """Before: a submission hung as long as Redis was paused (19.8 s of a 20 s pause)."""
    from celery import Celery

    from staffing.base import queueing

    probe = Celery("probe", set_as_current=False)  # the tasks' app stays the project's
    probe.config_from_object("django.conf:settings", namespace="CELERY")
    probe.conf.broker_url = silent_redis
    monkeypatch.setattr(queueing, "app", probe)
    broker_breaker.reset()
    try:
        started = time.monotonic()
        assert task_enqueue("staffing.tasks.match_request", 1) is False
        first = time.monotonic() - started
        started = time.monotonic()
        assert task_enqueue("staffing.tasks.match_request", 2) is False
        second = time.monotonic() - started
    finally:
        broker_breaker.reset()
        probe.pool.force_close_all()
    assert first < 8, f"publishing waited {first:.1f} s on a stalled Redis"
    assert second < 0.05  # the breaker is open: the sweep will queue it


def test_login_works_while_the_cache_redis_is_down(client, settings):
    settings.CACHES = {
        "default": {
            **settings.CACHES["default"],
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens there
        }
    }
    cache_breaker.reset()
    user = f.RecruiterFactory(email="rekry@example.fi")
    user.set_password("a-long-password-1")
    user.save()
    try:
        response = client.post(
            reverse("account_login"), {"login": "rekry@example.fi", "password": "a-long-password-1"}
        )
        # The second step (the TOTP code) works without the cache too.
        assert response.status_code == 302 and response.url == reverse("mfa_authenticate")
        response = client.post(reverse("mfa_authenticate"), {"code": f.totp_code()})
        assert response.status_code == 302
        assert client.get(reverse("recruiter_board")).status_code == 200
    finally:
        cache_breaker.reset()


# --- The order form's one-time token and error pages ----------------------------------------------


def _order_post(profile, key: str) -> dict:
    day = (timezone.localdate() + dt.timedelta(days=2)).isoformat()
    return {
        "service_profile": profile.pk,
        "urgency": "urgent",
        "headcount": 1,
        "notes": "",
        "submission_key": key,
        "shifts-TOTAL_FORMS": 1,
        "shifts-INITIAL_FORMS": 0,
        "shifts-0-date": day,
        "shifts-0-start": "16:00",
        "shifts-0-end": "21:00",
        "languages-TOTAL_FORMS": 0,
        "languages-INITIAL_FORMS": 0,
    }


def test_an_order_sent_twice_makes_one_request(client, queued_tasks):
    profile = f.ServiceProfileFactory()
    manager = f.ClientManagerFactory(company=profile.company)
    client.force_login(manager)
    page = client.get(reverse("client_request_new")).content.decode()
    key = re.search(r'name="submission_key" value="([0-9a-f-]{36})"', page).group(1)
    first = client.post(reverse("client_request_new"), _order_post(profile, key))
    second = client.post(reverse("client_request_new"), _order_post(profile, key))
    assert first.status_code == second.status_code == 302
    assert first.url == second.url
    assert StaffingRequest.objects.filter(company=profile.company).count() == 1
    other = client.post(reverse("client_request_new"), _order_post(profile, str(uuid.uuid4())))
    assert other.status_code == 302 and other.url != first.url


def test_a_database_outage_answers_the_friendly_503_page(client, monkeypatch):
    client.force_login(f.RecruiterFactory())

    def database_down(request):
        raise OperationalError("could not connect to server: Connection refused")

    # The first thing any page does is to read the session's user from the database.
    monkeypatch.setattr("django.contrib.auth.get_user", database_down)
    response = client.get(reverse("recruiter_board"), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 503
    assert response["Retry-After"] == "60"
    assert "Your data is safe" in response.content.decode()
    response = client.post(reverse("recruiter_board"), HTTP_ACCEPT_LANGUAGE="fi")
    assert response.status_code == 503


def test_unknown_pages_answer_the_friendly_404(client):
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    assert "<html" in response.content.decode() and "/home/" in response.content.decode()


# --- Status shown while matching is late ----------------------------------------------------------


def test_a_request_without_a_shortlist_after_a_minute_needs_attention(client, settings):
    settings.MATCHING_OVERDUE_SECONDS = 60
    req = f.StaffingRequestFactory()
    f.ShiftFactory(request=req)
    manager = f.ClientManagerFactory(company=req.company)
    req.submitted_by = manager
    req.save()
    assert not req.matching_overdue
    StaffingRequest.objects.filter(pk=req.pk).update(
        created_at=timezone.now() - dt.timedelta(seconds=61)
    )
    req.refresh_from_db()
    assert req.matching_overdue
    client.force_login(f.RecruiterFactory())
    assert 'data-overdue="1"' in client.get(reverse("recruiter_board")).content.decode()
    detail = client.get(reverse("recruiter_request_detail", args=[req.pk])).content.decode()
    assert 'data-overdue="1"' in detail
    client.force_login(manager)
    status = client.get(reverse("client_request_status", args=[req.pk])).content.decode()
    assert 'data-overdue="1"' in status


# --- Task names -----------------------------------------------------------------------------------


def test_every_task_queued_by_name_exists():
    names = set()
    for path in [*ROOT.glob("staffing/**/*.py"), *ROOT.glob("candidates/**/*.py")]:
        text = path.read_text()
        names |= set(re.findall(r'"((?:staffing|candidates)\.tasks\.\w+)"', text))
    from django.conf import settings

    names |= {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert names, "no task names found"
    app.loader.import_default_modules()  # what a worker imports when it starts
    missing = sorted(n for n in names if n not in app.tasks)
    assert missing == []


def test_tasks_are_routed_by_name_so_a_match_never_waits_behind_background_work():
    """Matching has a queue (and worker) of its own; offers and emails another; the rest a third."""
    from django.conf import settings

    def queue(name: str) -> str:
        return app.amqp.router.route({}, name)["queue"].name

    assert queue("staffing.tasks.match_request") == "staffing.urgent"
    assert queue("staffing.tasks.sweep_unmatched_requests") == "staffing.urgent"
    offers = ("send_first_offer_wave", "backfill_request", "send_email", "send_emails")
    for name in (*offers, "advance_offer_waves"):
        assert queue(f"staffing.tasks.{name}") == "staffing.offers"
    for name in ("staffing.tasks.refresh_bench", "candidates.tasks.candidate_retention"):
        assert queue(name) == "staffing.background"
    routed = {route["queue"] for route in settings.CELERY_TASK_ROUTES.values()}
    assert routed <= {q.name for q in settings.CELERY_TASK_QUEUES}
