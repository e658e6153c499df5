"""The journeys of issue 5, in a real browser against a real `ropa demo` server:
(a) a DPO records a US processor with no transfer mechanism, sees the finding, records an IDTA and TRA, sees it go;
(b) an auditor downloads the ICO workbook and cannot reach any edit form;
(c) two DPOs edit the same activity and the second save is refused with the conflict shown."""

import re

import openpyxl
import pytest
from playwright.sync_api import expect

from tests.e2e.people import add_user, sign_in

pytestmark = pytest.mark.browser


def test_a_dpo_finds_and_fixes_a_transfer_without_a_mechanism(page, server, artifacts):
    base, instance = server
    add_user(instance, "dpo@example.org", "dpo")
    sign_in(page, base, "dpo@example.org")

    page.get_by_role("link", name="Organisations", exact=True).click()
    page.get_by_role("link", name="Add an organisation").click()
    page.get_by_label("Name", exact=True).fill("Acme Messaging Inc")
    page.get_by_label("Kind", exact=True).select_option("company")
    page.get_by_label("Country", exact=True).select_option("US")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", name="Acme Messaging Inc")).to_be_visible()

    page.get_by_role("link", name="Activities", exact=True).click()
    page.get_by_role("link", name="Add a processing activity").click()
    page.get_by_role("textbox", name="Name", exact=True).fill("Text message reminders through Acme")
    page.get_by_label("Purpose", exact=True).fill("To remind families of appointments by text message.")
    page.get_by_role("group", name="Lawful bases").get_by_label("6(1)(e) Public task").check()
    page.get_by_role("group", name="Data categories").get_by_label("Contact details", exact=True).check()
    page.get_by_role("group", name="Processors").get_by_label("Acme Messaging Inc").check()
    page.get_by_role("button", name="Save").click()
    heading = page.get_by_role("heading", level=1).inner_text()
    reference = heading.split()[0]
    assert "Text message reminders through Acme" in heading
    expect(page.get_by_role("cell", name="T04")).to_be_visible()  # US, no certification, no safeguard

    page.get_by_role("link", name="Dashboard").click()
    row = page.locator("tr", has_text=reference)
    expect(row.get_by_text("None recorded").first).to_be_visible()
    expect(page.get_by_role("link", name="Transfer to a partially adequate country", exact=False)).to_be_visible()
    page.screenshot(path=str(artifacts / "dashboard.png"), full_page=True)

    page.get_by_role("link", name=reference).first.click()
    page.get_by_role("link", name="Record a transfer").click()
    page.get_by_label("Organisation", exact=True).select_option("Acme Messaging Inc")
    page.get_by_label("Country", exact=True).select_option("US")
    page.get_by_label("Transfer mechanism", exact=True).select_option("idta")
    page.get_by_label("Transfer risk assessment date", exact=True).fill("2026-11-20")
    page.get_by_label("Transfer risk assessment outcome", exact=True).fill("Risk low: data encrypted, minimal contact details only.")
    page.get_by_role("button", name="Save").click()

    page.goto(base + f"/activities/{reference}")
    assert page.get_by_role("cell", name="T04").count() == 0
    assert page.get_by_role("cell", name="T01").count() == 0
    expect(page.get_by_text("International data transfer agreement (IDTA)").first).to_be_visible()
    page.screenshot(path=str(artifacts / "activity.png"), full_page=True)
    page.get_by_role("link", name="Dashboard").click()
    assert page.locator("tr", has_text=reference).get_by_text("None recorded").count() == 0


def test_an_auditor_downloads_the_workbook_and_cannot_edit(page, server, artifacts, tmp_path):
    base, instance = server
    add_user(instance, "auditor@example.org", "auditor")
    sign_in(page, base, "auditor@example.org")

    page.get_by_role("link", name="Exports", exact=True).click()
    page.get_by_role("button", name="Prepare the workbook").click()
    download_link = page.get_by_role("link", name=re.compile(r"^Download .+\.xlsx$"))
    download_link.wait_for(timeout=60_000)  # the job page reloads itself until the file is ready
    with page.expect_download() as info:
        download_link.click()
    assert info.value.suggested_filename.endswith(".xlsx")
    info.value.save_as(tmp_path / info.value.suggested_filename)
    workbook = openpyxl.load_workbook(tmp_path / info.value.suggested_filename, read_only=True)
    assert "Template" in workbook.sheetnames
    assert any("PA-026" in str(cell) for row in workbook["Template"].iter_rows(values_only=True) for cell in row)
    page.screenshot(path=str(artifacts / "exports.png"), full_page=True)

    page.goto(base + "/activities/PA-026")
    expect(page.get_by_role("heading", name="Autism diagnostic assessment scoring", exact=False)).to_be_visible()
    for name in ("Edit this activity", "Mark reviewed today", "Retire", "Record a transfer"):
        assert page.get_by_role("button", name=name).count() == 0 and page.get_by_role("link", name=name).count() == 0
    assert page.goto(base + "/activities/PA-026/edit").status == 403
    assert page.goto(base + "/activities/new").status == 403
    # A direct POST with a valid session and CSRF token is still refused by role.
    page.goto(base + "/activities")
    token = page.evaluate("document.querySelector('input[name=csrf_token]').value")
    for path in ("/activities/PA-026/edit", "/activities/PA-026/reviewed", "/activities/PA-026/retire"):
        response = page.request.post(base + path, form={"csrf_token": token, "name": "changed"})
        assert response.status == 403, path


def test_the_second_of_two_dpos_saving_the_same_activity_is_shown_the_conflict(browser, server, artifacts):
    base, instance = server
    add_user(instance, "first@example.org", "dpo")
    add_user(instance, "second@example.org", "dpo")
    first = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    second = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    sign_in(first, base, "first@example.org")
    sign_in(second, base, "second@example.org")
    for page in (first, second):
        page.goto(base + "/activities/PA-004/edit")
    first.get_by_label("Owner", exact=True).fill("Appointments team lead")
    first.get_by_role("button", name="Save").click()
    expect(first.get_by_text("Processing activity saved.")).to_be_visible()

    second.get_by_label("Owner", exact=True).fill("Head of patient access")
    second.get_by_role("button", name="Save").click()
    conflict = second.locator("#conflict")
    expect(conflict.get_by_role("heading", name="Someone else changed this processing activity")).to_be_visible()
    expect(conflict.get_by_text("first@example.org")).to_be_visible()
    expect(conflict.get_by_text("Appointments team lead")).to_be_visible()
    assert second.get_by_label("Owner", exact=True).input_value() == "Head of patient access"  # nothing typed is lost
    expect(second.get_by_role("alert").first).to_be_visible()
    second.screenshot(path=str(artifacts / "conflict.png"), full_page=True)
    second.goto(base + "/activities/PA-004")
    expect(second.get_by_text("Appointments team lead").first).to_be_visible()
    for page in (first, second):
        page.context.close()
