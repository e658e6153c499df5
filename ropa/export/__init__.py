"""Spreadsheet exports: pure writers (plain records in, a workbook out); no Flask, no database.

Imported lazily, so the writer process (writer_process) loads only XlsxWriter and the formats.
"""

__all__ = ["workbook_inputs", "write_ico_workbook"]


def __getattr__(name: str):
    if name in __all__:
        from ropa.export import ico

        return getattr(ico, name)
    raise AttributeError(name)
