"""Problems found in the inputs, and how they are told to a person: what is wrong and where."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    message: str
    file: str | None = None
    line: int | None = None
    column: int | None = None
    focus: str | None = None      # SHACL focus node
    path: str | None = None       # SHACL result path
    value: str | None = None      # offending value
    shape: str | None = None      # the shape that reported it
    severity: str = "Violation"

    def where(self) -> str:
        place = self.file or ""
        if self.line is not None:
            place += f":{self.line}" + (f":{self.column}" if self.column is not None else "")
        return place

    def render(self) -> str:
        head = f"{self.severity}: {self.message}"
        where = self.where()
        lines = [f"{where}: {head}" if where else head]
        for label, value in (("focus node", self.focus), ("path", self.path), ("value", self.value),
                             ("shape", self.shape)):
            if value is not None:
                lines.append(f"    {label}: {value}")
        return "\n".join(lines)


class InputError(Exception):
    """The inputs cannot be published as they are; carries every problem found."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__(self.render())

    def render(self) -> str:
        count = len(self.problems)
        head = f"{count} problem{'s' if count != 1 else ''} found:"
        return "\n".join([head, *(p.render() for p in self.problems)])
