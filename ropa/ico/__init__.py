"""The ICO workbook, in one folder: its columns, the reader of hand-filled copies, the writer and its process.

columns, reader, writer, sheets, assets, index, layout, notes, text, xlsx and writer_process are pure (plain records
in, a workbook out, or bytes in, raw records out): no Flask, no database. export.py and importing.py are the two
operations that feed them from the database (through ropa.services); nothing here writes to the register.
"""
