"""Web blueprints, one per feature."""

from flask import Flask


def register_blueprints(app: Flask) -> None:
    from ropa.views.activities import bp as activities

    app.register_blueprint(activities)
