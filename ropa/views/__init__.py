"""Web blueprints, one per feature."""

from flask import Flask


def register_blueprints(app: Flask) -> None:
    from ropa import auth  # noqa: F401  (registers the user loader)
    from ropa.views.activities import bp as activities
    from ropa.views.auth import bp as auth_bp

    app.register_blueprint(auth_bp)
    app.register_blueprint(activities)
