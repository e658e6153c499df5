"""What an import found wrong, located to the file, row and column a person can open."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    file: str
    row: int | str
    column: str
    reason: str

    def __str__(self) -> str:
        return f"{self.file}:{self.row}:{self.column}: {self.reason}"


@dataclass(frozen=True)
class Remark:
    """What an import did that a person should check: a value it inferred, or text it could only keep in notes.

    file is 'book.xlsx:Template', cell 'H14' (or ''), kind INFERRED or KEPT_IN_NOTES.
    """

    file: str
    cell: str
    kind: str
    text: str

    INFERRED = "inferred"
    KEPT_IN_NOTES = "kept in notes"

    def __str__(self) -> str:
        where = f"{self.file}!{self.cell}" if self.cell else self.file
        return f"{where}: {self.kind}: {self.text}"


class ImportFailed(Exception):
    """Raised with every problem found; nothing has been written."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


@dataclass
class RawRecord:
    """One record read from a file, its values in dump form, refs still unresolved keys."""

    entity: str
    values: dict
    file: str
    row: int | str
    columns: dict[str, str]  # field -> column label in the file

    def problem(self, field: str, reason: str, value: str = "") -> Problem:
        column = self.columns.get(f"{field}:{value}") or self.columns.get(field, field)
        return Problem(self.file, self.row, column, reason)
