"""Issue 12's review campaign journey in a real browser against a real `ropa demo` server: the DPO starts a review
of two services, an editor of one of them confirms two of its activities (one after updating it), and the
dashboard shows the progress by service."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.people import add_user, sign_in

pytestmark = pytest.mark.browser

ECFWS = "Essex Child and Family Wellbeing Services (ECFWS)"
EWS = "Essex Wellbeing Service (EWS)"


def test_the_dpo_starts_a_review_an_editor_confirms_two_and_the_dashboard_shows_progress(browser, server,
                                                                                          artifacts):
    base, instance = server
    add_user(instance, "dpo@example.org", "dpo")
    add_user(instance, "ecfws.lead@example.org", "editor", services=(ECFWS,))

    dpo = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    sign_in(dpo, base, "dpo@example.org")
    dpo.get_by_role("link", name="Reviews", exact=True).click()
    dpo.get_by_label("Name", exact=True).fill("Annual review 2026-27")
    dpo.get_by_label("Due date").fill("2099-01-31")
    dpo.get_by_role("group", name="Services in scope").get_by_label(ECFWS).check()
    dpo.get_by_role("group", name="Services in scope").get_by_label(EWS).check()
    dpo.get_by_role("button", name="Start the review").click()
    expect(dpo.get_by_role("heading", name="Annual review 2026-27", level=1)).to_be_visible()
    expect(dpo.get_by_text(re.compile(r"Review “Annual review 2026-27” started: 27 activities"))).to_be_visible()

    editor = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    sign_in(editor, base, "ecfws.lead@example.org")
    expect(editor.get_by_text("26 activities wait for your review.")).to_be_visible()
    editor.get_by_role("link", name="Review them").click()
    review_page = editor.url
    rows = editor.locator("#review-items tbody tr")
    expect(rows).to_have_count(26)  # their own service's activities only, not EWS's
    first, second = rows.nth(0).get_attribute("data-reference"), rows.nth(1).get_attribute("data-reference")

    editor.get_by_role("button", name=f"Confirm as is {first}").click()
    expect(editor.get_by_text(f"{first} confirmed as reviewed")).to_be_visible()

    # The second is updated first, then confirmed: it is recorded as "updated".
    editor.get_by_role("link", name=f"Update {second}").click()
    editor.get_by_label("Owner", exact=True).fill("Head of 0-19 Services")
    editor.get_by_role("button", name="Save").click()
    expect(editor.get_by_role("heading", level=1)).to_contain_text(second)
    editor.goto(review_page)
    editor.get_by_role("button", name=f"Confirm {second}").click()
    expect(editor.get_by_text(f"{second} reviewed (updated)")).to_be_visible()
    # Another service's activity offers the editor nothing to press.
    editor.get_by_label("Show").select_option("all")
    editor.get_by_role("button", name="Show").click()
    ews_row = editor.locator("#review-items tbody tr", has_text=EWS)
    expect(ews_row.get_by_role("button")).to_have_count(0)

    dpo.get_by_role("link", name="Dashboard").click()
    expect(dpo.get_by_text("2 of 27")).to_be_visible()
    progress = dpo.locator("table", has=dpo.get_by_role("row", name=re.compile(re.escape(ECFWS))))
    ecfws_row = progress.get_by_role("row", name=re.compile(re.escape(ECFWS)))
    expect(ecfws_row.get_by_role("cell")).to_have_text(["26", "1", "1", "24", "8%"])
    expect(progress.get_by_role("row", name=re.compile(re.escape(EWS))).get_by_role("cell")) \
        .to_have_text(["1", "0", "0", "1", "0%"])
    dpo.screenshot(path=str(artifacts / "review-dashboard.png"), full_page=True)
