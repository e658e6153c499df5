"""`ropa serve`: the app under gunicorn, through gunicorn's Python API (no config file, no GUNICORN_CMD_ARGS).

Sizing. Requests spend much of their time waiting on the database, but the heavy ones (the checks over the whole
register, the graph, the ICO workbook) are pure-Python CPU work, which the GIL runs one at a time per process. So the
default is one worker process per core for the CPU work, each with 4 threads (gunicorn's gthread worker) to overlap
the database waits, rather than gunicorn's rule of thumb of 2*cores+1 single-threaded workers, which exists to
overlap waits with processes. Processes are what cost memory (each keeps its own findings cache, a whole-register
build) and database connections (each has its own SQLAlchemy pool), so the default is also capped at
MAX_DEFAULT_WORKERS however many cores there are, and is at least 2, so one busy or restarting worker does not stop
the site: workers = max(2, min(cores, 8)), always under 2*cores+1. An explicit --workers / ROPA_WORKERS is taken as given.
workers × threads is the most requests, and so PostgreSQL connections, in flight at once: keep it under the server's
max_connections (100 by default) with room for `ropa` commands and backups.
"""

import os
import sys

import sqlalchemy as sa
from gunicorn.app.base import BaseApplication

THREADS = 4
MAX_DEFAULT_WORKERS = 8
GRACEFUL_TIMEOUT = 30  # seconds a worker has to finish its requests after SIGTERM / SIGHUP
TIMEOUT = 120  # a worker silent this long is killed and replaced (the largest synchronous exports take seconds)


def cores() -> int:
    """The CPUs this process may run on (its affinity mask, which containers and taskset narrow), at least 1."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


def default_workers(n_cores: int | None = None) -> int:
    n = cores() if n_cores is None else n_cores
    return max(2, min(n, MAX_DEFAULT_WORKERS))


def options(host: str, port: int, workers: int | None = None, threads: int | None = None) -> dict:
    """gunicorn's settings for `ropa serve`."""
    return {
        "bind": f"[{host}]:{port}" if ":" in host else f"{host}:{port}",
        "workers": workers or default_workers(),
        "threads": threads or THREADS,
        "worker_class": "gthread",
        "graceful_timeout": GRACEFUL_TIMEOUT,
        "timeout": TIMEOUT,
        "accesslog": "-",  # standard output
        "errorlog": "-",  # standard error
        "proc_name": "ropa",
        # gunicorn 25+'s control socket is one fixed path per user (~/.gunicorn/gunicorn.ctl): two servers would
        # fight over it, and `ropa serve` is managed by signals (TERM graceful stop, HUP reload) instead.
        "control_socket_disable": True,
        "preload_app": False,  # each worker builds its own app, so no database connection crosses a fork
    }


class RopaServer(BaseApplication):
    """gunicorn running ropa.factory.create_app() in each worker."""

    def __init__(self, settings: dict, test_config: dict | None = None):
        self.settings = settings
        self.test_config = test_config
        super().__init__(prog="ropa serve")

    def load_config(self) -> None:
        for key, value in self.settings.items():
            if key in self.cfg.settings:  # a setting this gunicorn lacks (an older one) is left out
                self.cfg.set(key, value)

    def load(self):
        from ropa.factory import create_app

        return create_app(self.test_config)


def serve(host: str, port: int, workers: int | None = None, threads: int | None = None) -> None:
    """Build the app once in the master (bad settings fail here, before any worker; the instance folder and its
    secret key are made once, not raced by the workers), then hand over to gunicorn until it is stopped."""
    from ropa.extensions import db
    from ropa.factory import create_app
    from ropa.services.job_sweep import mark_dead_jobs

    app = create_app()
    with app.app_context():
        try:
            mark_dead_jobs()  # jobs left running by a server that stopped are failed, not running for ever
        except sa.exc.SQLAlchemyError as exc:  # no database yet, or not reachable: /readyz will say so
            db.session.rollback()
            print(f"ropa serve: could not check for dead jobs ({type(exc).__name__}); carrying on", file=sys.stderr)
        db.engine.dispose()  # nothing was connected; make sure nothing is inherited by the workers either
    RopaServer(options(host, port, workers, threads)).run()
