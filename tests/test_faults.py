"""Faults on a real PostgreSQL: the server restarted under a real `ropa serve`, the database read-only or out of disk
during an import, and ropa processes killed (SIGKILL) in the middle of an import and of an export.

Every test runs on a PRIVATE PostgreSQL cluster it starts itself (initdb and pg_ctl as the `postgres` OS user, in a
temporary folder, on a free port), so stopping that server or filling its disk never touches the shared one. That
needs root (for runuser and for mounting a small tmpfs) and PostgreSQL's server binaries; without them the tests are
skipped, unless ROPA_REQUIRE_POSTGRES=1 (or CI) is set, when they fail instead. Each docstring says what it proves.
"""

import json
import os
import pwd
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
import zipfile
from pathlib import Path

import psycopg
import pytest

from bench.generate import generate
from ropa import create_app
from ropa.cli import init_database
from ropa.enums import Role
from ropa.exchange.jsonio import dump_text
from ropa.extensions import db
from ropa.services.database_errors import DISK_FULL, READ_ONLY, UNAVAILABLE
from tests.conftest import REQUIRE_PG
from tests.server import free_port, sign_in
from tests.test_serving import ropa_serve

ROOT = Path(__file__).resolve().parent.parent
PG_BINS = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"), key=lambda p: int(p.parent.parent.name))
EMAIL, PASSWORD = "faults-dpo@example.org", "a long fault-test password"
COUNTED = ("organisations", "activities", "disclosures", "audit_entries")


def _unavailable_reason() -> str | None:
    if os.geteuid() != 0:
        return "needs root (runuser to the postgres user, mount a tmpfs)"
    if not PG_BINS:
        return "no PostgreSQL server binaries under /usr/lib/postgresql/*/bin"
    try:
        pwd.getpwnam("postgres")
    except KeyError:
        return "no postgres OS user"
    return None


class Cluster:
    """A throw-away PostgreSQL server: its own data folder, port and socket folder; stopped and removed after."""

    def __init__(self):
        self.bin = PG_BINS[-1].parent
        self.root = Path(tempfile.mkdtemp(prefix="ropa-faults-"))
        os.chmod(self.root, 0o755)
        shutil.chown(self.root, "postgres", "postgres")
        self.data, self.log, self.port = self.root / "data", self.root / "server.log", free_port()
        self.mounts: list[Path] = []
        self._as_postgres("initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres", "-E", "UTF8",
                          "--locale=C.UTF-8", "--no-sync")
        self.start()

    def _as_postgres(self, program: str, *args: str) -> None:
        subprocess.run(["runuser", "-u", "postgres", "--", str(self.bin / program), *args], check=True,
                       capture_output=True, timeout=60)

    def start(self) -> None:
        self._as_postgres("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-w", "-t", "30", "-o",
                          f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.root} -c fsync=off "
                          "-c max_connections=60", "start")

    def stop(self, mode: str = "fast") -> None:
        self._as_postgres("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "-t", "30", "stop")

    def url(self, name: str) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{name}"

    def dsn(self, name: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{name}"

    def sql(self, statement: str, name: str = "postgres", params=()) -> list[tuple]:
        with psycopg.connect(self.dsn(name), autocommit=True) as connection:
            cursor = connection.execute(statement, params)
            return cursor.fetchall() if cursor.description else []

    def make_db(self, name: str, tablespace: str | None = None) -> str:
        self.sql(f'CREATE DATABASE "{name}" TEMPLATE ropa_tpl' + (f" TABLESPACE {tablespace}" if tablespace else ""))
        return self.url(name)

    def counts(self, name: str) -> dict[str, int]:
        counts = {t: self.sql(f"SELECT count(*) FROM {t}", name)[0][0] for t in COUNTED}
        head = self.sql("SELECT count, last_hash FROM audit_head", name)
        return counts | {"audit_head": tuple(head[0]) if head else None}

    def terminate(self, name: str) -> None:
        """End every other session on the database (so new ones pick up a changed setting)."""
        self.sql("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> "
                 "pg_backend_pid()", params=(name,))

    def tmpfs(self, name: str, size: str) -> Path:
        """A real small filesystem (tmpfs) owned by postgres: writing past its size fails with ENOSPC."""
        path = self.root / name
        path.mkdir()
        subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size},mode=0755", "tmpfs", str(path)], check=True,
                       capture_output=True)
        self.mounts.append(path)
        shutil.chown(path, "postgres", "postgres")
        return path

    def close(self) -> None:
        try:
            self.stop("immediate")
        except subprocess.CalledProcessError:
            pass  # already stopped
        for path in self.mounts:
            subprocess.run(["umount", "-l", str(path)], check=False, capture_output=True)
        shutil.rmtree(self.root, ignore_errors=True)


@pytest.fixture(scope="module")
def cluster():
    reason = _unavailable_reason()
    if reason:
        if REQUIRE_PG:
            pytest.fail(f"the fault tests need a private PostgreSQL cluster: {reason}")
        pytest.skip(reason)
    made = Cluster()
    try:
        made.sql("CREATE DATABASE ropa_tpl")
        app = create_app({"SQLALCHEMY_DATABASE_URI": made.url("ropa_tpl"), "TESTING": True})
        with app.app_context():
            init_database(seed=False)
            from ropa.services.users import create_user
            create_user(EMAIL, Role.DPO, PASSWORD, actor="test")
            db.session.remove()
            db.engine.dispose()
        yield made
    finally:
        made.close()


def _env(url: str, tmp_path: Path) -> dict:
    return os.environ | {"ROPA_DATABASE_URL": url, "ROPA_INSTANCE_DIR": str(tmp_path / "instance"),
                         "ROPA_EXPORT_DIR": str(tmp_path / "exports"), "PYTHONUNBUFFERED": "1"}


def _ropa(url: str, tmp_path: Path, *args: str, timeout: float = 50) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ropa", *args], cwd=ROOT, env=_env(url, tmp_path),
                          capture_output=True, text=True, timeout=timeout, check=False)


def _dump(tmp_path: Path, n: int, name: str = "register.json") -> Path:
    path = tmp_path / name
    path.write_text(dump_text(generate(n)), encoding="utf-8")
    return path


def _token(url: str) -> str:
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True})
    with app.app_context():
        from ropa.services.users import create_token
        token = create_token(EMAIL, "faults", actor="test")
        db.session.remove()
        db.engine.dispose()
    return token


def _call(url: str, headers: dict | None = None, data: bytes | None = None, method: str | None = None,
          opener=None) -> tuple[int, str, dict]:
    request = urllib.request.Request(url, data=data, headers=headers or {}, method=method)
    try:
        with (opener.open(request, timeout=15) if opener else urllib.request.urlopen(request, timeout=15)) as r:
            return r.status, r.read().decode(), dict(r.headers)
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(), dict(error.headers)


# --- 1. the database server restarted under a running ropa serve -------------------------------------------------

def test_database_restart_under_load_gives_503_and_recovers_without_restarting_ropa(cluster, tmp_path):
    """Proves: while PostgreSQL is down, a real `ropa serve` (gunicorn) answers every request that needs the
    database with 503 and the sentence "The database is unavailable; try again shortly" (JSON for the API, a plain
    page for the pages, Retry-After set), never a 500 or a dropped connection, and refuses a write the same way
    without writing it; /healthz stays 200 and /readyz says 503. Once PostgreSQL is back on the same port, the same
    ropa processes serve 200 again at once (the first failures make the pool replace its dead connections, and one
    idle through the outage is pinged and replaced: ropa/connections.py): nothing restarted."""
    url = cluster.make_db("restart")
    token = _token(url)
    api = {"Authorization": f"Bearer {token}"}
    with ropa_serve(tmp_path, url) as (base, _out):
        pages = sign_in(base, EMAIL, PASSWORD)
        seen: list[tuple[str, int]] = []
        phase, stop = ["up"], threading.Event()

        def load():
            while not stop.is_set():
                for path, opener, headers in (("/api/v1/countries?limit=5", None, api), ("/activities", pages, {})):
                    started_in = phase[0]
                    try:
                        status = _call(base + path, headers, opener=opener)[0]
                    except OSError as exc:  # a dropped or refused connection: what must not happen
                        status = f"{type(exc).__name__}"
                    # A request still in flight when the phase moved (a slow one, under load, as the server
                    # stops) is judged only by the first assertion below: a 200 or a 503, nothing else.
                    ended_in = phase[0]
                    seen.append((started_in if ended_in == started_in else f"{started_in} → {ended_in}", status))
                time.sleep(0.02)

        loader = threading.Thread(target=load, daemon=True)
        loader.start()
        time.sleep(1.0)
        status, body, _ = _call(base + "/api/v1/countries/FR", api)
        version = json.loads(body)["version"]

        phase[0] = "stopping"
        cluster.stop("fast")
        phase[0] = "down"
        time.sleep(1.0)
        status, body, headers = _call(base + "/api/v1/countries?limit=5", api)
        assert status == 503 and json.loads(body) == {"error": UNAVAILABLE} and headers["Retry-After"] == "5"
        status, body, headers = _call(base + "/activities", opener=pages)
        assert status == 503 and UNAVAILABLE in body and headers["Content-Type"].startswith("text/html")
        status, body, _ = _call(base + "/api/v1/countries/FR", api | {"Content-Type": "application/json"},
                                json.dumps({"notes": "written during the outage", "version": version}).encode(),
                                "PUT")
        assert status == 503 and json.loads(body) == {"error": UNAVAILABLE}
        assert _call(base + "/healthz")[0] == 200
        assert _call(base + "/readyz")[0] == 503

        phase[0] = "starting"
        cluster.start()
        phase[0] = "back"
        time.sleep(1.5)
        stop.set()
        loader.join(20)
        status, body, _ = _call(base + "/api/v1/countries/FR", api)
        assert status == 200 and json.loads(body)["version"] == version  # the refused write was not made
        assert json.loads(body)["notes"] != "written during the outage"
        assert _call(base + "/readyz")[0] == 200

    by_phase = {p: [s for q, s in seen if q == p] for p in ("up", "stopping", "down", "starting", "back")}
    assert {s for _, s in seen} <= {200, 503}, sorted(set(map(str, by_phase.items())))  # no 500, no dropped line
    assert by_phase["up"] and set(by_phase["up"]) == {200}
    assert by_phase["down"] and set(by_phase["down"]) == {503}
    assert by_phase["back"] and set(by_phase["back"]) == {200}


# --- 2. the database refusing writes: read-only, then out of disk --------------------------------------------------

def test_import_into_a_read_only_database_fails_whole_and_says_why(cluster, tmp_path):
    """Proves: when the database refuses writes (default_transaction_read_only switched on for it and every
    session restarted, as a failover to a standby or a maintenance window does), `ropa import` and the API's import
    fail whole: the command exits 1 saying the database is read-only and that nothing was imported, the API answers
    503 with that sentence as its error, and no row or audit entry was added. Once writes are
    allowed again the same file imports cleanly and the audit chain verifies."""
    url = cluster.make_db("readonly")
    token = _token(url)
    dump = _dump(tmp_path, 40)
    before = cluster.counts("readonly")
    cluster.sql('ALTER DATABASE "readonly" SET default_transaction_read_only = on')
    cluster.terminate("readonly")

    done = _ropa(url, tmp_path, "import", str(dump))
    assert done.returncode == 1
    assert READ_ONLY in done.stderr and "nothing was imported" in done.stderr
    assert "cannot execute INSERT in a read-only transaction" in done.stderr  # the server's own words, kept
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True})
    with app.app_context():
        response = app.test_client().post("/api/v1/imports?filename=register.json&confirm=1",
                                          data=dump.read_bytes(), headers={"Authorization": f"Bearer {token}"})
        db.session.remove()
        db.engine.dispose()
    assert response.status_code == 503 and response.json == {"error": READ_ONLY}
    assert cluster.counts("readonly") == before

    cluster.sql('ALTER DATABASE "readonly" SET default_transaction_read_only = off')
    cluster.terminate("readonly")
    assert _ropa(url, tmp_path, "import", str(dump)).returncode == 0
    assert cluster.counts("readonly")["activities"] == 40
    assert _ropa(url, tmp_path, "audit", "verify").returncode == 0


def test_disk_full_during_an_import_or_an_export_fails_whole_and_says_why(cluster, tmp_path):
    """Proves, with a real full filesystem (a tmpfs): when PostgreSQL runs out of disk part-way through an import
    (the database lives in a tablespace on a 64 MiB tmpfs filled to within 1 MiB, so the server's "could not extend
    file ...: No space left on device" comes after the first rows were written), the import is rolled back whole:
    `ropa import` exits 1 saying the server ran out of disk space and nothing was imported, and the row counts and
    the audit head are as before. Once space is freed the same file imports and the chain verifies. And an export to
    a full disk (a 32 KiB tmpfs) fails with ENOSPC in words, leaving neither the file nor its temporary .part."""
    space = cluster.tmpfs("tiny", "64m")
    cluster.sql(f"CREATE TABLESPACE tiny LOCATION '{space}'")
    url = cluster.make_db("full", tablespace="tiny")
    dump = _dump(tmp_path, 300)
    before = cluster.counts("full")
    stat = os.statvfs(space)
    filler = space / "filler"
    with open(filler, "wb") as handle:  # leave 1 MiB: the import needs several
        handle.truncate(0)
        handle.write(b"\0" * (stat.f_bavail * stat.f_frsize - 2**20))

    done = _ropa(url, tmp_path, "import", str(dump))
    assert done.returncode == 1, done.stdout
    assert DISK_FULL in done.stderr and "nothing was imported" in done.stderr
    assert "No space left on device" in done.stderr
    assert cluster.counts("full") == before

    filler.unlink()
    done = _ropa(url, tmp_path, "import", str(dump))
    assert done.returncode == 0, done.stderr
    assert cluster.counts("full")["activities"] == 300
    assert _ropa(url, tmp_path, "audit", "verify").returncode == 0

    out = cluster.tmpfs("out", "32k")
    for fmt, name in (("json", "register.json"), ("ico", "register.xlsx")):
        done = _ropa(url, tmp_path, "export", str(out / name), "--format", fmt)
        assert done.returncode == 1, (fmt, done.stdout)
        assert "No space left on device" in done.stderr and "Traceback" not in done.stderr, done.stderr
        assert list(out.iterdir()) == [], fmt  # no file under its name, and no .part left behind


# --- 3. a ropa process killed with SIGKILL ---------------------------------------------------------------------------

def _killed_when(process: subprocess.Popen, ready, limit: float = 40) -> None:
    """SIGKILL the process group as soon as ready() is true (fail if the process ends first)."""
    deadline = time.monotonic() + limit
    while not ready():
        assert process.poll() is None, "the process finished before it could be killed mid-way"
        assert time.monotonic() < deadline, "the process never reached the point to kill it at"
        time.sleep(0.002)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=10)


def test_import_killed_mid_way_leaves_no_half_import(cluster, tmp_path):
    """Proves: `ropa import` killed with SIGKILL while it is inserting rows (seen in pg_stat_activity) leaves nothing
    of the file in the register: PostgreSQL rolls the open transaction back when the client vanishes, so the counts
    and the audit head are as before, the audit chain verifies, and no lock is left behind (the next import works)."""
    url = cluster.make_db("killimport")
    dump = _dump(tmp_path, 1500)
    before = cluster.counts("killimport")
    process = subprocess.Popen([sys.executable, "-m", "ropa", "import", str(dump)], cwd=ROOT,
                               env=_env(url, tmp_path), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               start_new_session=True)

    def inserting() -> bool:
        return bool(cluster.sql("SELECT 1 FROM pg_stat_activity WHERE datname = 'killimport' AND xact_start IS NOT "
                                "NULL AND query ILIKE 'INSERT INTO disclosures%%'"))

    _killed_when(process, inserting)
    deadline = time.monotonic() + 15  # the server notices the client has gone and ends its backend
    while cluster.sql("SELECT 1 FROM pg_stat_activity WHERE datname = 'killimport' AND pid <> pg_backend_pid()",
                      "killimport"):
        assert time.monotonic() < deadline, "the killed import's session is still open"
        time.sleep(0.1)
    assert cluster.counts("killimport") == before
    assert _ropa(url, tmp_path, "audit", "verify").returncode == 0
    done = _ropa(url, tmp_path, "import", str(_dump(tmp_path, 10, "small.json")))
    assert done.returncode == 0, done.stderr
    assert cluster.counts("killimport")["activities"] == 10


def test_export_killed_mid_way_leaves_no_file_under_its_name(cluster, tmp_path):
    """Proves: `ropa export --format ico` killed with SIGKILL (it and its writer process) while the workbook is
    being written leaves no file under the export's name, only its temporary .part: a reader of register.xlsx never
    sees half a workbook. The next export completes, replaces the .part and gives a whole workbook."""
    url = cluster.make_db("killexport")
    assert _ropa(url, tmp_path, "import", str(_dump(tmp_path, 1200))).returncode == 0
    assert _ropa(url, tmp_path, "check", "--store").returncode in (0, 1)  # the findings stored, not refreshed in the export
    target = tmp_path / "out" / "register.xlsx"
    part = target.with_name(target.name + ".part")
    process = subprocess.Popen([sys.executable, "-m", "ropa", "export", str(target), "--format", "ico"], cwd=ROOT,
                               env=_env(url, tmp_path), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               start_new_session=True)
    _killed_when(process, lambda: part.exists() and part.stat().st_size > 0)
    assert not target.exists()

    done = _ropa(url, tmp_path, "export", str(target), "--format", "ico")
    assert done.returncode == 0, done.stderr
    assert zipfile.is_zipfile(target) and not part.exists()
    with zipfile.ZipFile(target) as workbook:
        assert workbook.testzip() is None and "xl/workbook.xml" in workbook.namelist()
