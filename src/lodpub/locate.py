"""Telling an author where a problem is, in their own words: the line of their Turtle file that describes the
focus node, and every IRI written as they wrote it (`quote:pompeo-rndf-2`, `prov:wasAttributedTo`).
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pyoxigraph as ox

from .report import Problem

__all__ = ["excerpt", "locate"]

IRI_IN_TEXT = re.compile(r"https?://[^\s()<>\"{}|^`\\,]+")
LOCAL_NAME = re.compile(r"^[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_-])?$")


class _Written:
    """One Turtle file as its author wrote it: its lines and its prefixes."""

    def __init__(self, path: Path, base: str) -> None:
        self.text = path.read_text(encoding="utf-8")
        self.lines = self.text.split("\n")
        parser = ox.parse(self.text, format=ox.RdfFormat.TURTLE, base_iri=base, lenient=True)
        try:
            for _ in parser:
                pass
        except SyntaxError:
            pass
        self.prefixes = sorted(parser.prefixes.items(), key=lambda p: -len(p[1]))
        self.base = base

    def name(self, iri: str) -> str:
        """The IRI as the author would write it: a prefixed name when a prefix fits, else the IRI."""
        for prefix, namespace in self.prefixes:
            local = iri[len(namespace):]
            if iri.startswith(namespace) and (local == "" or LOCAL_NAME.match(local)):
                return f"{prefix}:{local}"
        return f"<{iri[len(self.base):]}>" if iri.startswith(self.base) else f"<{iri}>"

    def names(self, text: str | None) -> str | None:
        return None if text is None else IRI_IN_TEXT.sub(lambda m: self.name(m.group(0)), text)

    def line_of(self, iri: str) -> int | None:
        """The line where the resource is described: first as a subject at the start of a line, else first
        mentioned anywhere."""
        forms = [re.escape(self.name(iri)), re.escape(f"<{iri}>")]
        if iri.startswith(self.base):
            forms.append(re.escape(f"<{iri[len(self.base):]}>"))
        token = "(?:" + "|".join(forms) + r")(?=[\s;,.\]]|$)"
        for pattern in (rf"(?m)^\s*{token}", rf"(?m)(?:^|[\s\[(,;]){token}"):
            if found := re.search(pattern, self.text):
                return self.text.count("\n", 0, found.start() + (len(found.group(0)) - len(found.group(0).lstrip())))\
                    + 1
        return None


def locate(problems: list[Problem], base: str) -> list[Problem]:
    """The problems with the line of their focus node in the author's Turtle, and names as written there."""
    files: dict[str, _Written | None] = {}
    out = []
    for p in problems:
        if not p.file or not p.file.endswith(".ttl"):
            out.append(p)
            continue
        if p.file not in files:
            try:
                files[p.file] = _Written(Path(p.file), base)
            except (OSError, UnicodeDecodeError):
                files[p.file] = None
        written = files[p.file]
        if written is None:
            out.append(p)
            continue
        line = p.line
        if line is None and p.focus and not p.focus.startswith("_:"):
            line = written.line_of(p.focus)
        out.append(dataclasses.replace(p, line=line, focus=written.names(p.focus), path=written.names(p.path),
                                       value=written.names(p.value), shape=written.names(p.shape)))
    return out


def excerpt(path: Path, line: int | None, start: int | None, end_line: int | None, end: int | None,
            expected: bool = False) -> str:
    """The line a Turtle syntax error is on, with the line before it and a caret under the mistake (and, where
    the parser `expected` something at the start of a line, a word on the line before)."""
    try:
        lines = path.read_text(encoding="utf-8").split("\n")
    except (OSError, UnicodeDecodeError):
        return ""
    if line is None or not 1 <= line <= len(lines):
        return ""
    start = max(1, start or 1)
    width = max(1, (end - start) if end_line == line and end and end > start else 1)
    shown = [n for n in (line - 1, line) if n >= 1]
    digits = len(str(line))
    out = [f"    {n:>{digits}} | {lines[n - 1]}" for n in shown]
    out.append(f"    {'':>{digits}} | {' ' * (start - 1)}{'^' * width}")
    before = lines[line - 1][:start - 1]
    if expected and not before.strip() and line > 1:
        out.append("    the mistake may be at the end of the line before: a missing '.', ';' or ','")
    return "\n" + "\n".join(out)
