"""The import journey of issue 10, in a real browser against a real `ropa demo` server: a DPO uploads a hand-filled
ICO workbook, sees the preview with its one problem at its cell ("Germny" in column H), fixes the cell, uploads it
again, confirms, and finds the activities, the organisation of the contact block and the findings; an auditor has
no import page (403)."""


import openpyxl
import pytest
from playwright.sync_api import expect

from tests.e2e.people import add_user, sign_in

pytestmark = pytest.mark.browser
#: The seed register is kept for this organisation, so the sheet's contact block names it (another name is refused).
CONTROLLER = "HCRG Care Services Ltd"
PAYROLL = "Paying our staff and keeping the payroll records"
RECRUITMENT = "Recruiting new staff and checking their references"
HEADINGS = [
    "Business function", "Purpose of processing", "Name and contact details of joint controller (if applicable)",
    "Categories of individuals", "Categories of personal data", "Categories of recipients",
    "Link to contract with processor",
    "Names of third countries or international organisations that personal data are transferred to (if applicable)",
    ("Safeguards for exceptional transfers of personal data to third countries or international organisations "
     "(if applicable)"),
    "Retention schedule (if possible)",
    "General description of technical and organisational security measures (if possible)",
    "Article 6 lawful basis for processing personal data",
]


def hand_filled_workbook(path, payroll_country: str) -> str:
    """The ICO template as a DPO fills it in: the contact block, the headings on row 9, two activities."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Template"
    contact = {"Organisation name and contact details": [CONTROLLER, ("The Heath Business and Technical Park, "
                                                          "Runcorn, WA7 4QX"), "info@hcrg.example", "0300 123 4567"],
               "Data Protection Officer (if applicable)": ["Deborah Tonkin", "The Heath Business Park, Runcorn",
                                                           "Ask.IG@hcrgcaregroup.com", ""]}
    for group, (title, values) in enumerate(contact.items()):
        sheet.cell(1, 1 + 3 * group, title)
        for row, (label, value) in enumerate(zip(["Name", "Address", "Email", "Telephone"], values), start=2):
            sheet.cell(row, 1 + 3 * group, label)
            sheet.cell(row, 2 + 3 * group, value or None)
    sheet.cell(8, 1, "Article 30 Record of Processing Activities")
    for column, heading in enumerate(HEADINGS, start=1):
        sheet.cell(9, column, heading)
    rows = [["Human resources", PAYROLL, None, "Staff", "Bank details; Salary", "HMRC", None, payroll_country,
             None, "6 years after employment ends", "Role-based access", "6(1)(b) Contract"],
            ["Human resources", RECRUITMENT, None, "Job applicants", "Employment history", None, None, "None",
             None, "6 months after the post is filled", "Role-based access", "6(1)(b) Contract"]]
    for number, values in enumerate(rows, start=10):
        for column, value in enumerate(values, start=1):
            sheet.cell(number, column, value)
    book.save(path)
    return str(path)


def test_a_dpo_imports_a_hand_filled_workbook_after_fixing_its_one_problem(page, server, tmp_path, artifacts):
    base, instance = server
    add_user(instance, "dpo@example.org", "dpo")
    sign_in(page, base, "dpo@example.org")

    page.get_by_role("link", name="Import", exact=True).click()
    expect(page.get_by_role("heading", name="Import a register file")).to_be_visible()
    page.get_by_label("File to import").set_input_files(hand_filled_workbook(tmp_path / "register.xlsx", "Germny"))
    page.get_by_role("button", name="Upload and preview").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("1 problem")
    problems = page.locator("#import-problems tbody tr")
    expect(problems).to_have_count(1)
    cells = problems.first.locator("td")
    expect(cells.nth(0)).to_have_text("register.xlsx:Template")
    expect(cells.nth(1)).to_have_text("H10")
    expect(cells.nth(2)).to_contain_text("Germny")
    expect(cells.nth(2)).to_contain_text("did you mean Germany")
    expect(page.get_by_role("button", name="Confirm the import")).to_have_count(0)
    page.screenshot(path=str(artifacts / "import-preview-problem.png"), full_page=True)

    page.get_by_role("link", name="upload the corrected file").click()
    page.get_by_label("File to import").set_input_files(hand_filled_workbook(tmp_path / "register.xlsx", "Germany"))
    page.get_by_role("button", name="Upload and preview").click()
    expect(page.get_by_role("heading", name="Preview of register.xlsx")).to_be_visible()
    expect(page.locator("#import-counts")).to_contain_text("Processing activity")
    page.get_by_role("button", name="Confirm the import").click()
    expect(page.get_by_role("heading", name="Imported register.xlsx")).to_be_visible()
    page.screenshot(path=str(artifacts / "import-done.png"), full_page=True)

    page.get_by_role("link", name="Activities", exact=True).first.click()
    expect(page.get_by_role("heading", name="Processing activities")).to_be_visible()
    expect(page.get_by_text(PAYROLL).first).to_be_visible()
    expect(page.get_by_text(RECRUITMENT).first).to_be_visible()
    page.get_by_role("link", name="Organisations", exact=True).first.click()
    expect(page.get_by_role("link", name=CONTROLLER).first).to_be_visible()
    page.get_by_role("link", name="Findings", exact=True).first.click()
    expect(page.get_by_role("heading", name="Findings", exact=True)).to_be_visible()


def test_an_auditor_has_no_import_page(browser, server):
    base, instance = server
    add_user(instance, "auditor@example.org", "auditor")
    context = browser.new_context()
    page = context.new_page()
    try:
        sign_in(page, base, "auditor@example.org")
        expect(page.get_by_role("link", name="Import", exact=True)).to_have_count(0)
        response = page.goto(base + "/imports")
        assert response.status == 403
        expect(page.get_by_role("heading", name="You cannot do that")).to_be_visible()
    finally:
        context.close()
