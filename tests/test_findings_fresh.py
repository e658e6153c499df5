"""Findings kept fresh off the request path (services/findings.py): the background refresher, its lease, and what
pages and the API say while the stored findings are behind the register.

These tests turn ROPA_FINDINGS_SYNC off (the rest of the suite has it on), so a stale read only wakes the refresher.
"""

import re
import threading
import time
import urllib.parse
from datetime import timedelta

import pytest
import sqlalchemy as sa

from ropa.extensions import db
from ropa.models import FindingsState
from ropa.models.base import utcnow
from ropa.services import findings
from ropa.services.records import save_record
from ropa.services.users import create_token
from tests.server import demo_server, sign_in

NOTICE = "being brought up to date"


@pytest.fixture
def asynchronous(seeded):
    seeded.config["ROPA_FINDINGS_SYNC"] = False
    return seeded


def _new_activity_without_a_basis(reference: str = "PA-900") -> None:
    save_record("activities", {"reference": reference, "name": "Waiting list texts", "status": "active",
                               "our_role": "controller", "purpose": "Remind patients of appointments"}, actor="test")


def test_a_page_says_its_findings_are_stale_until_the_refresher_brings_the_new_finding(asynchronous, make_client):
    client = make_client("dpo")
    findings.refresh_now()
    assert NOTICE not in client.get("/").get_data(as_text=True)
    _new_activity_without_a_basis()
    html = client.get("/activities/PA-900").get_data(as_text=True)
    # Read before the refresh: the activity has no stored findings yet, and the page says why.
    assert NOTICE in html and re.search(r"Findings as at \d{4}-\d\d-\d\d \d\d:\d\d UTC,\s+\d+ changes? since", html)
    assert "No findings: the checks found nothing to fix here." in html
    findings.wait_until_fresh(timeout=60)  # done by the refresher thread the page view woke
    html = client.get("/activities/PA-900").get_data(as_text=True)
    assert NOTICE not in html
    assert "No findings: the checks found nothing" not in html and "lawful basis" in html.lower()
    assert findings.current_findings().for_entity("activity", "PA-900")


def test_the_api_reports_freshness_and_a_dpo_may_ask_for_fresh_findings(asynchronous, make_user):

    def client_of(role: str):
        user = make_user(role)
        client = asynchronous.test_client(use_cookies=False)
        client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {create_token(user.email, 't', actor='test')}"
        return client

    dpo, auditor = client_of("dpo"), client_of("auditor")
    findings.refresh_now()
    body = auditor.get("/api/v1/findings").get_json()
    assert body["fresh"] is True and body["changes_since"] == 0 and body["as_at"].endswith("Z")
    # Stop the refresher from catching up while the stale answers are read (it is woken by these reads).
    findings.forget()
    _new_activity_without_a_basis()
    table = FindingsState.__table__
    db.session.execute(sa.update(table).values(refresh_owner="someone else", refresh_until=utcnow() + timedelta(
        minutes=5)))
    db.session.commit()
    stale = auditor.get("/api/v1/findings?entity_ref=PA-900&fresh=1").get_json()  # an auditor may not force it
    assert stale["fresh"] is False and stale["changes_since"] >= 1 and stale["findings"] == []
    db.session.execute(sa.update(table).values(refresh_owner="", refresh_until=None))
    db.session.commit()
    forced = dpo.get("/api/v1/findings?entity_ref=PA-900&fresh=1").get_json()
    assert forced["fresh"] is True and forced["changes_since"] == 0
    assert {f["entity_ref"] for f in forced["findings"]} == {"PA-900"}


def test_never_computed_findings_say_so_and_are_worked_out(asynchronous, make_client):
    client = make_client("auditor")
    html = client.get("/").get_data(as_text=True)
    assert "The findings have not been worked out for this register yet" in html
    findings.wait_until_fresh(timeout=60)
    html = client.get("/findings").get_data(as_text=True)
    assert "not been worked out" not in html and NOTICE not in html and "TR-001" in html


def test_one_refresh_at_a_time_however_many_ask(asynchronous, monkeypatch):
    """Four threads, each with its own session and connection, ask at once: the lease lets one compute at a time."""
    active, most, lock = [0], [0], threading.Lock()
    real = findings.run_checks

    def slow_checks(*args, **kwargs):
        with lock:
            active[0] += 1
            most[0] = max(most[0], active[0])
        time.sleep(0.5)
        try:
            return real(*args, **kwargs)
        finally:
            with lock:
                active[0] -= 1

    monkeypatch.setattr(findings, "run_checks", slow_checks)
    results, start = [], threading.Barrier(4)

    def ask():
        with asynchronous.app_context():
            start.wait()
            results.append(findings.refresh(wait=False, keep=False))
            db.session.remove()

    threads = [threading.Thread(target=ask) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert most[0] == 1
    assert sum(r is not None for r in results) >= 1 and None in results  # the others were turned away
    assert findings.fresh_state() is not None
    row = db.session.get(FindingsState, 1, populate_existing=True)
    assert row.refresh_owner == "" and row.refresh_until is None  # the lease was given back


def test_a_lapsed_lease_is_taken_over(asynchronous):
    assert findings._take_lease("a")
    assert not findings._take_lease("b")
    db.session.execute(sa.update(FindingsState.__table__).values(refresh_until=utcnow() - timedelta(seconds=1)))
    db.session.commit()
    assert findings._take_lease("b")
    findings._release_lease("b")


def test_a_lease_taken_beforehand_is_renewed_by_its_owner_and_refused_once_lost(asynchronous):
    """What a web worker hands its refresh process: the lease it took, which only that owner may refresh under."""
    assert findings._take_lease("worker")
    assert findings.refresh(keep=False, lease="someone else") is None  # not theirs: turned away, not waited for
    assert findings.fresh_state() is None
    assert findings.refresh(keep=False, lease="worker") is not None
    assert findings.fresh_state() is not None
    row = db.session.get(FindingsState, 1, populate_existing=True)
    assert row.refresh_owner == "" and row.refresh_until is None  # given back when done


def test_workers_woken_by_one_write_start_one_refresh_process_between_them(asynchronous, monkeypatch):
    """Every web worker's refresher is woken by a write it sees; the lease is taken before a child process is
    started, so the workers that lose the race start none (each would cost a second of CPU to find it taken)."""
    findings.refresh_now()
    started, real = [], findings.subprocess.Popen

    def counted(*args, **kwargs):
        started.append(args[0])
        return real(*args, **kwargs)

    monkeypatch.setattr(findings.subprocess, "Popen", counted)
    workers = [findings.Refresher(asynchronous) for _ in range(3)]
    _new_activity_without_a_basis()
    for worker in workers:
        worker.wake()
    findings.wait_until_fresh(timeout=60)
    deadline = time.monotonic() + 20
    while sum(w.runs for w in workers) == 0 and time.monotonic() < deadline:
        time.sleep(0.1)
    time.sleep(1)  # the losers sleep half a second between looks, then find the findings fresh
    assert sum(w.runs for w in workers) == 1
    assert len(started) == 1 and "--lease" in started[0]


def test_a_worker_exiting_gives_back_its_lease_but_not_one_handed_to_its_running_child(asynchronous):
    refresher = findings.Refresher(asynchronous)
    owner = findings._new_owner()  # this process's, as the lease a worker takes before starting its child
    assert findings._take_lease(owner)
    refresher._handed = owner  # the child is still refreshing under it
    refresher._let_go()
    assert not findings._take_lease("another worker")  # left to the child, which gives it back when done
    refresher._handed = ""
    refresher._let_go()
    assert findings._take_lease("another worker")
    findings._release_lease("another worker")


def test_a_burst_of_writes_costs_few_refreshes(asynchronous, make_client):
    refresher = asynchronous.extensions["ropa_findings"]
    client = make_client("dpo")
    findings.refresh_now()
    client.get("/")  # starts the refresher thread (nothing to do)
    before = refresher.runs
    for n in range(10):
        _new_activity_without_a_basis(f"PA-9{n:02d}")
        refresher.wake()
    findings.wait_until_fresh(timeout=60)
    deadline = time.monotonic() + 20
    while refresher.runs == before and time.monotonic() < deadline:
        time.sleep(0.1)  # the child process that refreshed has committed; it is counted once it has exited
    time.sleep(1)
    assert 1 <= refresher.runs - before <= 3


def _token(html: str) -> str:
    return re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', html).group(1)


def test_a_real_server_brings_findings_up_to_date_by_itself_and_never_shows_old_ones_unsaid(tmp_path):
    """`ropa demo` with the refresher on (ROPA_FINDINGS_SYNC=0): retire an activity with findings through the form;
    every view of the findings page after the write either counts fewer findings or says they are being brought up
    to date, and within seconds they are current without anyone asking."""
    with demo_server(tmp_path / "instance", {"ROPA_FINDINGS_SYNC": "0"}) as (base, password):
        opener = sign_in(base, "admin@ropa.local", password)

        def get(path: str) -> str:
            with opener.open(base + path) as response:
                return response.read().decode()

        def total(html: str) -> int:
            return int(re.search(r'id="count">(\d+) finding', html).group(1))

        deadline = time.monotonic() + 60
        while "not been worked out" in (page := get("/findings")):
            assert time.monotonic() < deadline, "the first findings were not worked out within 60 s"
            time.sleep(0.3)  # the first view found nothing computed and woke the refresher
        before = total(page)
        reference = re.search(r'href="/activities/(PA-\d+)"', get("/findings?entity_type=activity")).group(1)
        detail = get(f"/activities/{reference}")
        version = re.search(r'name="version" value="(\d+)"', detail).group(1)
        audit = re.search(r'name="loaded_audit" value="(\d*)"', detail).group(1)
        body = urllib.parse.urlencode({"csrf_token": _token(detail), "version": version,
                                       "loaded_audit": audit}).encode()
        with opener.open(f"{base}/activities/{reference}/retire", data=body) as response:
            assert "Activity retired" in response.read().decode()
        deadline = time.monotonic() + 30
        while True:
            html = get("/findings")
            stale = NOTICE in html
            assert stale or total(html) < before, "the findings from before the write were shown without saying so"
            if not stale:
                break
            assert re.search(r"Findings as at [\d-]+ [\d:]+ UTC,\s+1 change since", html)
            assert time.monotonic() < deadline, "the findings were not brought up to date within 30 s"
            time.sleep(0.1)
