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
