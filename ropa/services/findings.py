"""The checks' findings of the live register: one mechanism, kept in the database and shared by every worker and host.

Running every check means loading the whole register and building its graph (about two seconds at 10,000
activities), far too slow for a request. So:

- ``refresh`` runs them once and stores the findings, the routes out of the UK, the register's SHA-256 and its counts
  (models/findings.py), keyed by the audit head (and the day) they were computed at. One refresh runs at a time across
  workers and hosts: it holds a lease on the findings_state row while it works (a holder that dies lets it lapse).
- Pages and the API read them through ``current_findings()``: a ``Findings`` view answering by indexed queries (the
  findings of one entity, counts by SQL, a page of findings, the routes of an activity) and saying how fresh they
  are: computed at the current head and day, or as at a time with so many writes since.
- After a write commits (services/audit.append marks the session), the process's refresher thread is woken; it
  waits a moment so a burst of writes costs one run, and refreshes until the findings are those of the head. A stale
  read wakes it too (the write may have come from another process). With ROPA_FINDINGS_SYNC=1 (the test suite) or
  ``current_findings(fresh=True)`` (the CLI, `?fresh=1` for the DPO) a stale read refreshes first instead.
"""

import atexit
import hashlib
import json
import logging
import os
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cached_property

import sqlalchemy as sa
from flask import Flask, current_app, has_app_context, has_request_context

from ropa.checks import CATALOGUE, RANK, Finding, citation_of, run_checks
from ropa.config import PROJECT_ROOT
from ropa.exchange.jsonio import dump_body
from ropa.extensions import db
from ropa.gc_pause import paused_gc
from ropa.graph import Route, build_graph, transfers_out_of_uk
from ropa.models import AuditHead, FindingsState, StoredFinding, StoredRoute
from ropa.models.base import utcnow
from ropa.services.analysis import counts_of
from ropa.services.kept import kept
from ropa.services.register import dump_register

log = logging.getLogger(__name__)

FIELDS = ("rule", "severity", "title", "entity_type", "entity_ref", "entity_name", "message", "fix")
ROUTE_FIELDS = ("activity", "activity_name", "categories", "special_categories", "subjects", "via", "destination",
                "destination_label", "transfer_status", "mechanism", "tra_date", "transfer", "kind", "certification")
TUPLES = ("categories", "special_categories", "subjects", "via")
BATCH = 5000
STATE_ID = 1
#: How long a refresh may hold the lease before others take it over (it died): far above a 100k refresh.
LEASE = timedelta(minutes=3)
#: How long the refresher waits after being woken, so that a burst of writes costs one refresh.
COALESCE_S = 0.2
#: How much lower than the web worker's the refresh process's CPU priority is (Unix nice levels).
REFRESH_NICENESS = 10


# --- state ------------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class State:
    """What the stored findings were computed from, and when."""

    audit_head_hash: str
    computed_at: datetime
    checked_for: date
    register_sha256: str
    counts: dict[str, int]
    audit_count: int = 0

    def fresh(self, head: str, today: date) -> bool:
        """Computed at this audit head, for this (UTC) day."""
        return self.audit_head_hash == head and self.checked_for == today


def audit_head() -> str:
    """The audit log's head hash now ("" before the first write)."""
    return _head()[0]


def _head() -> tuple[str, int]:
    row = db.session.execute(sa.select(AuditHead.last_hash, AuditHead.count).where(AuditHead.id == 1)).first()
    return (row.last_hash or "", row.count or 0) if row else ("", 0)


def state() -> State | None:
    """The stored findings' state, or None if they were never computed."""
    row = db.session.execute(sa.select(*(FindingsState.__table__.c[n] for n in STATE_COLUMNS))
                             .where(FindingsState.id == STATE_ID)).first()
    return _state_of(row)


STATE_COLUMNS = ("audit_head_hash", "computed_at", "checked_for", "register_sha256", "counts", "audit_count")


def _state_of(row) -> State | None:
    if row is None or row.computed_at is None or row.checked_for is None:
        return None
    return State(row.audit_head_hash, row.computed_at, row.checked_for, row.register_sha256,
                 json.loads(row.counts or "{}"), row.audit_count or 0)


def fresh_state(today: date | None = None) -> State | None:
    """The state if the stored findings are those of the register as it is now (this head, this day)."""
    found = state()
    today = today or utcnow().date()
    return found if found is not None and found.fresh(audit_head(), today) else None


# --- refresh ----------------------------------------------------------------------------------------------------

def refresh(today: date | None = None, *, wait: bool = True, keep: bool = True, unless_fresh: bool = False,
            lease: str = "") -> tuple[State, list[Finding]] | None:
    """Load the register once, run every check, and store the findings, routes, SHA-256 and counts in one
    transaction, holding the refresh lease. If another refresh holds it: wait for it (wait=True) or return None.
    keep=False returns no findings (the list is let go as it is stored); unless_fresh=True does nothing once the
    lease is held if the stored findings turn out to be fresh by then (another refresh made them so). lease is
    the owner of a lease taken for this refresh beforehand (by the process that started this one): it is renewed,
    not taken again, and None returned if it has been lost."""
    today = today or utcnow().date()
    owner = lease or _new_owner()
    while not _take_lease(owner):
        if not wait or lease:
            return None
        time.sleep(0.2)
    try:
        if unless_fresh and (current := fresh_state(today)) is not None:
            return current, []
        return _compute_and_store(today, owner, keep)
    finally:
        _release_lease(owner)


def _process() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _new_owner() -> str:
    return f"{_process()}:{threading.get_ident()}:{uuid.uuid4().hex[:8]}"


def _take_lease(owner: str) -> bool:
    """One conditional UPDATE: it succeeds for one caller at a time (the row lock), until the lease lapses; the
    owner who holds it may take it again (which renews it)."""
    table = FindingsState.__table__
    now = utcnow()
    try:
        if db.session.scalar(sa.select(table.c.id).where(table.c.id == STATE_ID)) is None:
            db.session.execute(sa.insert(table).values(id=STATE_ID, audit_head_hash="", register_sha256="",
                                                       counts="{}", audit_count=0, refresh_owner=""))
            db.session.commit()
    except sa.exc.IntegrityError:  # another process made it first
        db.session.rollback()
    taken = db.session.execute(
        sa.update(table).where(table.c.id == STATE_ID,
                               sa.or_(table.c.refresh_until.is_(None), table.c.refresh_until < now,
                                      table.c.refresh_owner == owner))
        .values(refresh_owner=owner, refresh_until=now + LEASE)).rowcount
    db.session.commit()
    return taken == 1


def _release_lease(owner: str) -> None:
    table = FindingsState.__table__
    db.session.rollback()
    db.session.execute(sa.update(table).where(table.c.id == STATE_ID, table.c.refresh_owner == owner)
                       .values(refresh_owner="", refresh_until=None))
    db.session.commit()


def _compute_and_store(today: date, owner: str, keep: bool) -> tuple[State, list[Finding]]:
    db.session.rollback()
    if db.engine.dialect.name == "postgresql":
        # One snapshot for the head and every query of the dump, so the findings are exactly those of that head.
        db.session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
    # On SQLite the head is read before the register: a write in between leaves the result keyed by the older head,
    # so it is seen as stale (and computed again) rather than taken as current.
    head, audit_count = _head()
    with paused_gc():
        register = dump_register(snapshots=False)
        db.session.rollback()  # the read is done: no transaction held open while the checks run
        sha256, counts = _dump_sha256(register), counts_of(register)
        graph = build_graph(register)
        routes = transfers_out_of_uk(graph)
        found = run_checks(register, graph, today)
        # The register and its graph are let go before the rows are written: only the results stay.
        del register, graph
    computed_at = utcnow()
    table = FindingsState.__table__
    try:
        still_ours = db.session.scalar(sa.select(table.c.refresh_owner).where(table.c.id == STATE_ID)
                                       .with_for_update())
        if still_ours != owner:  # the lease lapsed and another refresh took over: its result stands
            raise RuntimeError(f"the findings refresh lost its lease (it ran longer than {LEASE})")
        db.session.execute(sa.delete(StoredFinding))
        db.session.execute(sa.delete(StoredRoute))
        _insert(StoredFinding, found, lambda f: {name: getattr(f, name) or "" for name in FIELDS}, keep)
        _insert(StoredRoute, routes, _route_row, keep=False)
        del routes
        db.session.execute(sa.update(table).where(table.c.id == STATE_ID).values(
            audit_head_hash=head, audit_count=audit_count, computed_at=computed_at, checked_for=today,
            register_sha256=sha256, counts=json.dumps(counts)))
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    return State(head, computed_at, today, sha256, counts, audit_count), found if keep else []


def _dump_sha256(register: dict) -> str:
    """content_hash(dump_text(register)) without the whole text in memory at once (it is larger than the register's
    records at 100k activities): the same encoder's output, hashed as it is made."""
    digest, chunks = hashlib.sha256(), []
    for chunk in json.JSONEncoder(ensure_ascii=False, indent=1).iterencode(dump_body(register)):
        chunks.append(chunk)
        if len(chunks) >= 65536:
            digest.update("".join(chunks).encode("utf-8"))
            chunks.clear()
    chunks.append("\n")
    digest.update("".join(chunks).encode("utf-8"))
    return digest.hexdigest()


def _insert(model, items: list, row_of, keep: bool) -> None:
    """Insert in batches, in order (ids 1, 2, ...); unless kept, each batch is let go once written."""
    for start in range(0, len(items), BATCH):
        db.session.execute(sa.insert(model), [
            {"id": index, **row_of(item)} for index, item in enumerate(items[start:start + BATCH], start + 1)])
        if not keep:
            items[start:start + BATCH] = [None] * len(items[start:start + BATCH])


def _route_row(route: Route) -> dict:
    row = {name: getattr(route, name) for name in ROUTE_FIELDS}
    for name in TUPLES:
        row[name] = json.dumps(list(row[name]), ensure_ascii=False)
    row["tra_date"] = None if route.tra_date is None else str(route.tra_date)
    row["certification"] = route.certification or ""
    return row


def ensure_fresh(today: date | None = None) -> tuple[State, bool]:
    """The state of findings that are current, refreshing them first if they are not; True if it refreshed."""
    current = fresh_state(today)
    if current is not None:
        return current, False
    return refresh_now(today), True


def refresh_now(today: date | None = None) -> State:
    """Bring the stored findings up to date now (after a refresh under way, if that one leaves them current)."""
    today = today or utcnow().date()
    while True:
        current = fresh_state(today)
        if current is not None:
            return current
        refresh(today, keep=False, unless_fresh=True)
        db.session.rollback()


# --- reading ----------------------------------------------------------------------------------------------------

def stream(batch: int = BATCH) -> Iterator[dict]:
    """The stored findings in the checks' order (errors first), as dicts, read a batch at a time."""
    table = StoredFinding.__table__
    columns = [table.c[name] for name in FIELDS]
    last = 0
    while True:
        rows = db.session.execute(sa.select(table.c.id, *columns).where(table.c.id > last)
                                  .order_by(table.c.id).limit(batch)).all()
        if not rows:
            return
        for row in rows:
            finding = {name: row[i] for i, name in enumerate(FIELDS, 1)}
            # The citation comes from the catalogue, so it is the rule's current one and needs no column.
            finding["citation"] = citation_of(finding["rule"])
            yield finding
        last = rows[-1][0]


def count() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(StoredFinding)) or 0


def title_of(rule_id: str) -> str:
    return _TITLES.get(rule_id, rule_id)


_TITLES = {r.id: r.title for r in CATALOGUE}


def _finding(row) -> Finding:
    return Finding(*row, citation=citation_of(row[0]))


def _route(row) -> Route:
    values = dict(zip(ROUTE_FIELDS, row))
    for name in TUPLES:
        values[name] = tuple(json.loads(values[name]))
    return Route(**values)


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped.casefold()}%"


@dataclass
class Findings:
    """The stored findings as pages read them, and how fresh they are against the register as it is now."""

    state: State | None
    head: str
    head_count: int
    today: date

    @property
    def fresh(self) -> bool:
        return self.state is not None and self.state.fresh(self.head, self.today)

    @property
    def computed(self) -> bool:
        """False when no findings were ever computed for this register."""
        return self.state is not None

    @property
    def computed_at(self) -> datetime | None:
        return self.state.computed_at if self.state else None

    @property
    def changes_since(self) -> int:
        """How many audited writes the stored findings do not reflect."""
        return max(self.head_count - (self.state.audit_count if self.state else 0), 0)

    @property
    def counts(self) -> dict[str, int]:
        return self.state.counts if self.state else {}

    def freshness(self) -> dict:
        """For the JSON API: whether these are the findings of the register as it is now, and if not, how far behind."""
        at = self.computed_at
        return {"fresh": self.fresh, "as_at": at.isoformat(timespec="seconds") + "Z" if at else None,
                "changes_since": self.changes_since,
                "checked_for": self.state.checked_for.isoformat() if self.state else None}

    # The findings, by query: each answers from the indexes, whatever the size of the register.

    def for_entity(self, entity_type: str, ref: str) -> list[Finding]:
        """The findings about one entity (entity_type as in the findings: activity, organisation, transfer...)."""
        return self.for_entities(entity_type, [ref])

    def for_entities(self, entity_type: str, refs: list[str]) -> list[Finding]:
        if not refs:
            return []
        t = StoredFinding.__table__
        rows = db.session.execute(sa.select(*(t.c[n] for n in FIELDS))
                                  .where(t.c.entity_type == entity_type, t.c.entity_ref.in_(list(refs)))
                                  .order_by(t.c.id)).all()
        return [_finding(r) for r in rows]

    def severity_counts(self) -> dict[str, int]:
        counts = {s: 0 for s in ("error", "warning", "info")}
        for _, severity, _, n in self.rule_counts():
            counts[severity] = counts.get(severity, 0) + n
        return counts

    def rule_counts(self) -> list[tuple[str, str, str, int]]:
        """(rule, severity, title, how many) for every rule that fired, errors first."""
        return self._rule_counts

    @cached_property
    def _rule_counts(self) -> list[tuple[str, str, str, int]]:
        return self._kept("rule_counts", self._count_rules)

    def _kept(self, name: str, compute):
        """compute()'s answer for these stored findings, kept by this app until a refresh stores new ones (the
        stored findings change only with the state row, in the same transaction)."""
        if self.state is None or not has_app_context():
            return compute()
        return kept("ropa_kept_findings", name,
                    (self.state.audit_head_hash, self.state.computed_at, self.state.checked_for), compute)

    def _count_rules(self) -> list[tuple[str, str, str, int]]:
        # One GROUP BY serves the page's rule counts, severity counts and total.
        t = StoredFinding.__table__
        # Counted from the (rule, severity) index alone; the title is the catalogue's, as stored with each finding.
        rows = db.session.execute(sa.select(t.c.rule, t.c.severity, sa.func.count())
                                  .group_by(t.c.rule, t.c.severity)).all()
        return sorted(((rule, severity, title_of(rule), n) for rule, severity, n in rows),
                      key=lambda r: (RANK.get(r[1], 9), r[0]))

    def entity_types(self) -> list[str]:
        t = StoredFinding.__table__
        return self._kept("entity_types", lambda: sorted(db.session.scalars(sa.select(t.c.entity_type).distinct())))

    def total(self) -> int:
        return sum(n for *_, n in self.rule_counts())

    def search(self, *, severity: str = "", rule: str = "", entity_type: str = "", entity_ref: str = "",
               q: str = "", start: int = 0, limit: int | None = None) -> tuple[list[Finding], int]:
        """The findings matching exact severity, rule, entity type and reference and case-insensitive text, in the
        checks' order, from position `start` (limit of them, or all); and how many match in all."""
        t = StoredFinding.__table__
        where = [t.c[name] == value for name, value in (("severity", severity), ("rule", rule.upper()),
                                                          ("entity_type", entity_type), ("entity_ref", entity_ref))
                 if value]
        if q.strip():
            pattern = _like(q.strip())
            where.append(sa.or_(*(sa.func.lower(t.c[n]).like(pattern, escape="\\") for n in (
                "rule", "title", "entity_ref", "entity_name", "message", "fix"))))
        if q.strip() or entity_type or entity_ref:
            total = db.session.scalar(sa.select(sa.func.count()).select_from(t).where(*where)) or 0
        else:  # from the kept counts by rule and severity (counting 30,000 rows was half the findings page)
            total = sum(n for r, sev, _, n in self.rule_counts()
                        if (not severity or sev == severity) and (not rule or r == rule.upper()))
        query = sa.select(*(t.c[n] for n in FIELDS)).where(*where).order_by(t.c.id).offset(start)
        if limit is not None:
            query = query.limit(limit)
        return [_finding(r) for r in db.session.execute(query)], total

    # The routes out of the UK, stored with the findings.

    def route_count(self) -> int:
        # Kept with the stored findings it is part of: counting the routes took the dashboard 10 ms at 10k.
        return self._kept("route_count", lambda: db.session.scalar(sa.select(sa.func.count()).select_from(StoredRoute))
                          or 0)

    def routes_page(self, start: int = 0, size: int | None = None) -> list[Route]:
        t = StoredRoute.__table__
        query = sa.select(*(t.c[n] for n in ROUTE_FIELDS)).order_by(t.c.id).offset(start)
        return [_route(r) for r in db.session.execute(query.limit(size) if size is not None else query)]

    def routes_for(self, activity: str) -> list[Route]:
        t = StoredRoute.__table__
        return [_route(r) for r in db.session.execute(sa.select(*(t.c[n] for n in ROUTE_FIELDS))
                                                      .where(t.c.activity == activity).order_by(t.c.id))]

    def route_activities(self) -> frozenset[str]:
        """The activities with at least one route out of the UK."""
        return self._kept("route_activities",
                          lambda: frozenset(db.session.scalars(sa.select(StoredRoute.activity).distinct())))


def current_findings(today: date | None = None, *, fresh: bool = False) -> Findings:
    """The stored findings, with how fresh they are. Stale (or never computed): the refresher is woken and the
    stale ones returned, saying so, unless fresh=True or ROPA_FINDINGS_SYNC, when they are refreshed first."""
    today = today or utcnow().date()
    found = _read(today)
    if not found.fresh:
        if fresh or current_app.config.get("ROPA_FINDINGS_SYNC"):
            refresh_now(today)
            found = _read(today)
        else:
            wake()
    return found


def _read(today: date) -> Findings:
    # The audit head and the state row in one round trip (every page reads both): two one-row tables joined.
    head_t, state_t = AuditHead.__table__, FindingsState.__table__
    row = db.session.execute(
        sa.select(head_t.c.last_hash, head_t.c.count, *(state_t.c[n] for n in STATE_COLUMNS))
        .select_from(head_t.outerjoin(state_t, state_t.c.id == STATE_ID)).where(head_t.c.id == 1)).first()
    if row is None:  # nothing audited yet
        return Findings(state(), "", 0, today)
    return Findings(_state_of(row), row.last_hash or "", row.count or 0, today)


# --- the refresher ------------------------------------------------------------------------------------------------

class Refresher:
    """One per process (started on first use, and again in a forked worker): a thread that, once woken, refreshes
    the stored findings until they are those of the register's head, then sleeps until woken again."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self._woken = threading.Event()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._pid = 0
        self.runs = 0  # refreshes this process did (tests read it)
        self._handed = ""  # the lease a running child holds for this process (left to it at exit)

    @property
    def running(self) -> bool:
        return self._thread is not None and self._pid == os.getpid() and self._thread.is_alive()

    def wake(self) -> None:
        with self._lock:
            if not self.running:
                self._pid = os.getpid()
                self._thread = threading.Thread(target=self._loop, name="ropa-findings-refresher", daemon=True)
                self._thread.start()
                atexit.register(self._let_go)
        self._woken.set()

    def _let_go(self) -> None:
        """At exit, give up a lease this process holds, so that another's refresh need not wait for it to lapse."""
        try:
            with self.app.app_context():
                table = FindingsState.__table__
                db.session.execute(sa.update(table).where(table.c.refresh_owner.like(f"{_process()}:%"),
                                                          table.c.refresh_owner != self._handed)
                                   .values(refresh_owner="", refresh_until=None))
                db.session.commit()
        except Exception:
            log.info("findings refresh lease left to lapse", exc_info=True)

    def _loop(self) -> None:
        while True:
            self._woken.wait()
            time.sleep(COALESCE_S)
            self._woken.clear()
            with self.app.app_context():
                try:
                    self._catch_up()
                except Exception:  # the database away, say: logged, and tried again at the next wake
                    log.exception("findings refresh failed")
                    db.session.rollback()
                finally:
                    db.session.remove()

    def _catch_up(self) -> None:
        while fresh_state() is None:
            db.session.rollback()
            # The lease is taken here, before a child is started: a child started only to find the lease taken
            # (another worker, woken by the same write, got there first) would cost a second of CPU for nothing.
            owner = _new_owner()
            if not _take_lease(owner):
                time.sleep(0.5)  # another worker is refreshing; its result may be for an older head
                continue
            try:
                if fresh_state() is not None:  # another refresh finished between the two reads
                    return
                if self.app.config.get("ROPA_FINDINGS_REFRESH_IN") == "thread":
                    done = refresh(wait=False, keep=False, lease=owner) is not None
                else:
                    done = self._in_child(owner)
            finally:
                db.session.rollback()
                _release_lease(owner)  # given back by the refresh already, unless it failed
            if done:
                self.runs += 1

    def _in_child(self, lease: str) -> bool:
        """Refresh in a child process (`ropa refresh-findings --no-wait`) under the lease this worker holds: the
        checks are pure-Python CPU work, and run in a thread they would hold this worker's GIL against its
        requests, and its memory the register's size for good; a child gives both back when it exits. True if it
        refreshed, False if the lease was lost before it could."""
        env = os.environ | {"ROPA_DATABASE_URL": db.engine.url.render_as_string(hide_password=False),
                            "ROPA_INSTANCE_DIR": self.app.instance_path}
        child = subprocess.Popen([sys.executable, "-m", "ropa", "refresh-findings", "--no-wait", "--lease", lease],
                                 cwd=PROJECT_ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                 text=True)
        _lower_priority(child.pid)
        self._handed = lease  # should this worker exit meanwhile, the child finishes under it and gives it back
        try:
            output, _ = child.communicate(timeout=LEASE.total_seconds())
        except subprocess.TimeoutExpired:
            child.kill()
            output, _ = child.communicate()
        finally:
            self._handed = ""
        if child.returncode in (0, 3):
            return child.returncode == 0
        # It died (killed, out of memory): the lease it held is given back by the caller, not left to lapse.
        raise RuntimeError(f"the findings refresh process failed ({child.returncode}): {output[-2000:]}")


def _lower_priority(pid: int) -> None:
    """Run a refresh behind the requests: its seconds of CPU take what the web workers leave, so page views are
    not slowed by it on a busy machine (it still gets the whole CPU when the readers are idle)."""
    try:
        os.setpriority(os.PRIO_PROCESS, pid, min(os.getpriority(os.PRIO_PROCESS, 0) + REFRESH_NICENESS, 19))
    except (AttributeError, OSError):  # not POSIX, or the child has already exited
        pass


def init_app(app: Flask) -> None:
    """Give the app its refresher and wake it whenever a write that moved the audit head commits."""
    app.extensions["ropa_findings"] = Refresher(app)
    global _listening
    if not _listening:
        sa.event.listen(sa.orm.Session, "after_commit", _after_commit)
        sa.event.listen(sa.orm.Session, "after_rollback", lambda session: session.info.pop("audit_moved", None))
        _listening = True


_listening = False


def _after_commit(session) -> None:
    # Woken from requests (and in a process whose refresher already runs, e.g. a job thread of a web worker); a
    # command-line write is not, as its process may exit mid-refresh: the next page view's stale read wakes a server's.
    if session.info.pop("audit_moved", None) and has_app_context():
        refresher = current_app.extensions.get("ropa_findings")
        if refresher is not None and not current_app.config.get("ROPA_FINDINGS_SYNC") and (
                has_request_context() or refresher.running):
            refresher.wake()


def wake() -> None:
    """Wake this process's refresher (it does nothing if the findings are already fresh)."""
    refresher = current_app.extensions.get("ropa_findings")
    if refresher is not None:
        refresher.wake()


def forget() -> None:
    """Mark the stored findings stale (tests that change the database behind the audit log's back)."""
    table = FindingsState.__table__
    db.session.execute(sa.update(table).where(table.c.id == STATE_ID).values(audit_head_hash=""))
    db.session.commit()


def wait_until_fresh(timeout: float = 60.0) -> State:
    """Wait for the refresher to bring the findings up to date (tests of the asynchronous path); TimeoutError."""
    deadline = time.monotonic() + timeout
    while True:
        db.session.rollback()
        current = fresh_state()
        if current is not None:
            return current
        if time.monotonic() > deadline:
            raise TimeoutError(f"the findings were not brought up to date within {timeout} s")
        time.sleep(0.1)
