"""Spreadsheet exports: pure writers (plain records in, a workbook out); no Flask, no database."""

from ropa.export.ico import workbook_inputs, write_ico_workbook

__all__ = ["workbook_inputs", "write_ico_workbook"]
