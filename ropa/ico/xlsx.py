"""Spreadsheet primitives for ropa's workbooks: one way to write a cell, the formats, a sheet written in order.

Every text cell goes through ``cell_text`` and ``worksheet.write_string``: text is never taken for a formula,
a number or a link, so a name like ``=HYPERLINK(...)`` or ``@SUM(A1)`` is stored, and read back, as the text
it is (no apostrophe added; only a carriage return becomes a line feed). Nothing here knows the register.
"""

import datetime as dt
from collections.abc import Sequence
from typing import Any

from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

#: constant_memory streams rows to disk; the strings_to_* options stop XlsxWriter reading meaning into text.
WORKBOOK_OPTIONS = {"constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False,
                    "strings_to_numbers": False}
MAX_CELL = 32767  # Excel's limit, in UTF-16 code units
TRUNCATED = " … [truncated: Excel holds at most 32,767 characters in a cell]"
DATE_FORMAT = "dd/mm/yyyy"
A4 = 9

GREEN, BLUE, GREY, PALE, NHS_BLUE = "#D5EBCF", "#D6E4F5", "#DDDDDD", "#E8EDEE", "#005EB8"


def cell_text(value: Any) -> str:
    """A cell's text: one line per list item, Yes/No, None blank, line breaks as LF, cut to Excel's limit."""
    if type(value) is str and len(value) <= MAX_CELL // 2 and "\r" not in value:  # the common case
        return value
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, (list, tuple)):
        return "\n".join(text for text in map(cell_text, value) if text)
    # A cell's line break is LF; a CR would be stored as Excel's _x000D_ escape, which openpyxl and pandas show.
    text = str(value).replace("\r\n", "\n").replace("\r", "\n")
    if len(text) > MAX_CELL // 2 and _utf16_len(text) > MAX_CELL:
        text = _cut(text, MAX_CELL - _utf16_len(TRUNCATED)) + TRUNCATED
    return text


def _utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _cut(text: str, units: int) -> str:
    text = text[:units]
    while _utf16_len(text) > units:
        text = text[:units - (_utf16_len(text) - len(text))]
    return text


def as_date(value: Any) -> dt.date | str | None:
    """A dump-form ISO date as a date; text that is not a date stays text, so nothing is lost."""
    if value in (None, "") or isinstance(value, dt.date):
        return value or None
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        return str(value)


def as_utc(value: Any) -> dt.datetime | str | None:
    """A datetime as naive UTC (Excel has no time zones); ISO text is parsed, other text kept."""
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value)
        except ValueError:
            return value
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        value = value.astimezone(dt.timezone.utc).replace(tzinfo=None)
    return value


def _height(headings: Sequence[tuple[str, float]]) -> float:
    """A heading row tall enough for its longest wrapped heading (constant_memory cannot autofit rows)."""
    lines = max((-(-len(text) // max(int(width) - 1, 1)) for text, width in headings), default=1)
    return 15 * lines + 3


class Styles:
    """The workbook's formats, made once (XlsxWriter keeps every format object for the file's style table)."""

    def __init__(self, workbook: Workbook) -> None:
        top = {"valign": "top", "text_wrap": True}
        heading = top | {"bold": True, "border": 1}
        self.text = workbook.add_format(top)
        self.date = workbook.add_format({"valign": "top", "align": "left", "num_format": DATE_FORMAT})
        self.datetime = workbook.add_format({"valign": "top", "align": "left",
                                             "num_format": DATE_FORMAT + " hh:mm"})
        self.number = workbook.add_format({"valign": "top", "align": "left"})
        self.header = workbook.add_format(heading | {"bg_color": PALE})
        self.required = workbook.add_format(heading | {"bg_color": GREEN})
        self.optional = workbook.add_format(heading | {"bg_color": BLUE})
        self.ours = workbook.add_format(heading | {"bg_color": GREY, "italic": True})
        self.band = workbook.add_format(heading | {"bg_color": NHS_BLUE, "font_color": "#FFFFFF",
                                                   "align": "center"})
        self.title = workbook.add_format({"bold": True, "font_size": 14})
        self.group = workbook.add_format(heading | {"bg_color": PALE})
        self.label = workbook.add_format(top | {"bold": True})
        self.error = workbook.add_format(top | {"bg_color": "#F4C7C3", "bold": True})
        self.warning = workbook.add_format(top | {"bg_color": "#FCE8B2"})


class Sheet:
    """One worksheet written strictly top to bottom, as XlsxWriter's constant_memory mode requires."""

    def __init__(self, worksheet: Worksheet, styles: Styles) -> None:
        self.ws = worksheet
        self.styles = styles
        self.row = 0  # 0-based index of the next row to write
        self.data_rows = 0
        self.header_row: int | None = None
        self.width = 0

    def put(self, col: int, value: Any, fmt=None) -> None:
        """Write one cell of the current row: dates and numbers as such, everything else as a string."""
        if type(value) is str and len(value) <= MAX_CELL // 2 and "\r" not in value:  # most cells: plain text
            if value:
                self.ws.write_string(self.row, col, value, fmt or self.styles.text)
            elif fmt is not None:
                self.ws.write_blank(self.row, col, None, fmt)
            return
        if isinstance(value, dt.date):
            fmt = fmt or (self.styles.datetime if isinstance(value, dt.datetime) else self.styles.date)
            self.ws.write_datetime(self.row, col, value, fmt)
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            self.ws.write_number(self.row, col, value, fmt or self.styles.number)
        elif text := cell_text(value):
            self.ws.write_string(self.row, col, text, fmt or self.styles.text)
        elif fmt is not None:
            self.ws.write_blank(self.row, col, None, fmt)

    def line(self, values: Sequence[Any], fmt=None, start: int = 0) -> None:
        """Write a row of values from column `start` and move to the next row."""
        for col, value in enumerate(values, start):
            self.put(col, value, fmt)
        self.row += 1

    def data(self, values: Sequence[Any], formats: dict[int, Any] | None = None) -> None:
        """Write one data row (counted for the About sheet); `formats` styles some of its columns."""
        for col, value in enumerate(values):
            if value is not None and value != "" and value != []:  # blank cells are not written at all
                self.put(col, value, formats.get(col) if formats else None)
        self.row += 1
        self.data_rows += 1

    def header(self, headings: Sequence[tuple[str, float]], formats: Sequence | None = None) -> None:
        """The table's heading row, with column widths; the filter and print titles hang on it."""
        self.header_row = self.row
        self.ws.set_row(self.row, _height(headings))
        for col, (heading, width) in enumerate(headings):
            self.ws.set_column(col, col, width)
            self.put(col, heading, formats[col] if formats else self.styles.header)
        self.width = len(headings)
        self.row += 1

    def merge(self, first: int, last: int, value: str, fmt) -> None:
        """A cell merged across columns of the current row (one column is written plain)."""
        if last > first:
            self.ws.merge_range(self.row, first, self.row, last, "", fmt)
        self.put(first, value, fmt)

    def finish(self, freeze_col: int = 1, print_from: int | None = None, autofilter: bool = True) -> None:
        """Freeze and filter the header row, and print landscape on A4, one page wide, titles repeated."""
        header = self.header_row if self.header_row is not None else 0
        if autofilter:
            self.ws.autofilter(header, 0, max(self.row - 1, header), max(self.width - 1, 0))
        self.ws.freeze_panes(header + 1, freeze_col)
        self.ws.set_landscape()
        self.ws.set_paper(A4)
        self.ws.fit_to_pages(1, 0)
        self.ws.repeat_rows(header if print_from is None else print_from, header)
        self.ws.set_footer("&L&A&RPage &P of &N")
