"""The API's JSON is written by orjson (ropa/json_responses.py): the same documents as Flask's own provider wrote."""

from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from uuid import UUID

import pytest
from flask.json.provider import DefaultJSONProvider

from ropa import create_app


@dataclass
class Point:
    x: int
    label: str


VALUES = [
    {"z": 1, "a": [date(2026, 1, 2), datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)], "é": "Ünïcode <b>&</b>"},
    {"amount": Decimal("1.50"), "id": UUID("12345678-1234-5678-1234-567812345678"), "p": Point(1, "x")},
    2**70,  # past orjson's 64 bits: the standard library writes it
    None, [], {"nested": {"b": [1, 2.5, True, None], "a": "text"}},
]


@pytest.mark.parametrize("value", VALUES, ids=range(len(VALUES)))
@pytest.mark.parametrize("debug", [False, True])
def test_responses_mean_what_flasks_own_provider_wrote_with_keys_in_the_same_order(tmp_path, value, debug):
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.db'}", "TESTING": True})
    app.debug = debug
    with app.test_request_context():
        ours = app.json.response(value)
        flasks = DefaultJSONProvider(app).response(value)
    assert ours.mimetype == "application/json"
    assert ours.get_data(as_text=True).endswith("\n")
    assert app.json.loads(ours.get_data()) == app.json.loads(flasks.get_data())
    assert _keys(app.json.loads(ours.get_data())) == _keys(app.json.loads(flasks.get_data()))
    assert ("\n  " in ours.get_data(as_text=True)) == ("\n  " in flasks.get_data(as_text=True))


def _keys(value) -> list:
    if isinstance(value, dict):
        return [(k, _keys(v)) for k, v in value.items()]
    if isinstance(value, list):
        return [_keys(v) for v in value]
    return []
