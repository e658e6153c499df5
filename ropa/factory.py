"""The application factory: the only place the app is wired together."""

import os
from pathlib import Path

import sqlalchemy as sa
from flask import Flask

from ropa.config import PROJECT_ROOT, settings
from ropa.connections import ping_when_idle
from ropa.json_responses import ResponseJSON
from ropa.extensions import csrf, db, login_manager, migrate


def create_app(test_config: dict | None = None) -> Flask:
    """The application factory: the only place the app is wired together."""
    app = Flask("ropa", instance_relative_config=True, template_folder=str(PROJECT_ROOT / "templates"),
                instance_path=os.environ.get("ROPA_INSTANCE_DIR") or str(PROJECT_ROOT / "instance"))
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.config.from_mapping(settings(app.instance_path))
    if test_config:
        app.config.from_mapping(test_config)
    _connect_timeout(app)

    if app.config["ROPA_BEHIND_PROXY"]:
        from werkzeug.middleware.proxy_fix import ProxyFix
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1)

    app.json = ResponseJSON(app)
    from ropa import models  # noqa: F401  (registers the tables)

    db.init_app(app)
    try:
        _wire(app)
    except BaseException:  # a bad setting found later: give back any connection made so far, then say why
        with app.app_context():
            db.engine.dispose()
        raise
    return app


def _wire(app: Flask) -> None:
    """Everything bound to the app after its database: sessions, migrations, sign-in, CSRF, SSO, findings, views."""
    _release_sessions_safely(app)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"), render_as_batch=True)
    login_manager.init_app(app)
    csrf.init_app(app)
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            sa.event.listen(db.engine, "connect", _sqlite_pragmas)
        else:
            ping_when_idle(db.engine)
    from ropa.oidc import init_oidc
    init_oidc(app)
    from ropa.services import findings
    findings.init_app(app)
    from ropa.views import register_blueprints
    register_blueprints(app)


def _release_sessions_safely(app: Flask) -> None:
    """Flask-SQLAlchemy ends each request by rolling its session back; if the database went away meanwhile that
    rollback raises after the response was made, and gunicorn would answer 500 instead. A connection lost then is
    dropped (the pool opens a new one, ropa/connections.py) and the response stands; any other error still raises."""
    from ropa.services.database_errors import explain

    app.teardown_appcontext_funcs[:] = [f for f in app.teardown_appcontext_funcs if f != db._teardown_session]

    @app.teardown_appcontext
    def remove_session(_exc):
        try:
            db.session.remove()
        except sa.exc.DBAPIError as error:
            if explain(error) is None:
                raise
            app.logger.warning("database connection lost at the end of a request: %s", error.orig)
            try:
                db.session.remove()
            except sa.exc.DBAPIError:
                db.session.registry.clear()  # a new session, on a new connection, for the thread's next request


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    # Foreign keys are off by default in SQLite; the register relies on them to refuse dangling references.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def _connect_timeout(app: Flask) -> None:
    """On PostgreSQL, give up connecting after ROPA_DB_CONNECT_TIMEOUT seconds (default 5): a database host that
    drops packets then makes /readyz and pages fail with a clear 503 instead of hanging until the proxy gives up."""
    if not str(app.config["SQLALCHEMY_DATABASE_URI"]).startswith("postgresql"):
        return
    options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
    connect_args = dict(options.get("connect_args") or {})
    connect_args.setdefault("connect_timeout", int(os.environ.get("ROPA_DB_CONNECT_TIMEOUT", "") or 5))
    options["connect_args"] = connect_args
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options
