"""The catalogue's edit forms: long vocabularies are typed and resolved like an import; problems land on fields."""

import re

import sqlalchemy as sa

from ropa.extensions import db
from ropa.models import ProcessorEngagement
from tests.test_pages_activities import form_of


def test_countries_are_typed_by_name_or_code_and_unknown_ones_are_refused_on_the_field(seeded, make_client):
    seeded.config["WTF_CSRF_ENABLED"] = False
    dpo = make_client("dpo")
    page = dpo.get("/processors/PE-001/edit").get_data(as_text=True)
    assert "separated by semicolons" in page
    data = form_of(page)
    data["countries"] = ["United States; fr"]
    assert dpo.post("/processors/PE-001/edit", data=data).status_code == 302
    engagement = db.session.scalar(sa.select(ProcessorEngagement).where(ProcessorEngagement.reference == "PE-001"))
    db.session.refresh(engagement)
    assert sorted(c.code for c in engagement.countries) == ["FR", "US"]
    assert 'value="FR; US"' in dpo.get("/processors/PE-001/edit").get_data(as_text=True)

    data = form_of(dpo.get("/processors/PE-001/edit").get_data(as_text=True))
    data["countries"] = ["Narnia"]
    refused = dpo.post("/processors/PE-001/edit", data=data)
    page = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert re.search(r'id="countries-error"[^>]*>.*?Unknown country code &#39;Narnia&#39;', page, re.S)
