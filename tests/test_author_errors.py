"""Errors an author can act on: the file and line, the shape's message, and names as the author wrote them."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEED = "pompeo-soleimani-letter"


def validate(tmp_path: Path, edit) -> subprocess.CompletedProcess:
    data = tmp_path / "data"
    data.mkdir()
    shutil.copy(ROOT / "data" / f"{SEED}.txt", data)
    turtle = (ROOT / "data" / f"{SEED}.ttl").read_text(encoding="utf-8")
    (data / f"{SEED}.ttl").write_text(edit(turtle), encoding="utf-8")
    env = {**os.environ, "LODPUB_CACHE_DIR": str(tmp_path / "cache")}
    return subprocess.run([sys.executable, "-m", "lodpub.cli", "validate", "--data", str(data), "--ontology",
                           str(ROOT / "ontology"), "--shapes", str(ROOT / "shapes")],
                          env=env, capture_output=True, text=True, timeout=300)


def line_of(text: str, start: str) -> int:
    return next(n for n, line in enumerate(text.split("\n"), start=1) if line.startswith(start))


def test_a_shacl_violation_names_the_line_of_the_focus_node_and_the_names_as_written(tmp_path):
    speaker = "    prov:wasAttributedTo person:mike-pompeo ;\n"
    turtle = (ROOT / "data" / f"{SEED}.ttl").read_text(encoding="utf-8")
    block = turtle.index("quote:pompeo-rndf-2 a lpo:Quote")

    def drop_speaker(text: str) -> str:
        at = text.index(speaker, block)
        return text[:at] + text[at + len(speaker):]

    result = validate(tmp_path, drop_speaker)
    assert result.returncode == 1
    line = line_of(turtle, "quote:pompeo-rndf-2 a lpo:Quote")
    assert (f"data/{SEED}.ttl:{line}: Violation: A quote names its speaker (prov:wasAttributedTo).\n"
            "    focus node: quote:pompeo-rndf-2\n"
            "    path: prov:wasAttributedTo\n") in result.stderr
    assert "http://" not in result.stderr.split("focus node:", 1)[1].split("\n", 1)[0]


def test_a_turtle_syntax_error_shows_the_line_with_a_caret(tmp_path):
    turtle = (ROOT / "data" / f"{SEED}.ttl").read_text(encoding="utf-8")
    line = line_of(turtle, "person:qassem-soleimani a foaf:Person")

    def drop_final_dot(text: str) -> str:
        # The statement before Soleimani's loses its final '.': the parser stumbles on the next statement.
        before = text.rindex(" .\n", 0, text.index("person:qassem-soleimani a foaf:Person"))
        return text[:before] + "\n" + text[before + 3:]

    result = validate(tmp_path, drop_final_dot)
    assert result.returncode == 1
    assert f"{SEED}.ttl:{line}:1: Error: Turtle syntax error: A dot is expected at the end of statements" \
        in result.stderr
    assert (f"    {line} | person:qassem-soleimani a foaf:Person , schema:Person , prov:Agent ;\n"
            f"    {' ' * len(str(line))} | ^^^^^^^^^^^^^^^^^^^^^^^\n"
            "    the mistake may be at the end of the line before: a missing '.', ';' or ','") in result.stderr


def test_an_undeclared_prefix_points_at_the_name(tmp_path):
    result = validate(tmp_path, lambda text: text.replace("lpo:polity place:iraq ;", "lpo:polity plaice:iraq ;", 1))
    assert result.returncode == 1
    assert "The prefix plaice: has not been declared" in result.stderr
    caret = next(line for line in result.stderr.split("\n") if line.strip().endswith("^") and "|" in line)
    source = next(line for line in result.stderr.split("\n") if "plaice:iraq" in line)
    assert source.index("plaice") == caret.index("^")


def test_a_warning_is_told_with_its_line_too(tmp_path):
    def quote_with_its_marks(text: str) -> str:
        return text + ('\nquote:marked a lpo:Quote ; schema:text "“Our commander refused"@en ;\n'
                       "    prov:wasAttributedTo person:mohammad-mohammadi-golpayegani ;\n"
                       "    prov:wasGeneratedBy communication:golpayegani-statement-to-fars-news-agency ;\n"
                       '    lpo:supportedBy [ oa:exact "“Our commander refused" ] .\n')

    result = validate(tmp_path, quote_with_its_marks)
    assert result.returncode == 0, result.stderr
    turtle = quote_with_its_marks((ROOT / "data" / f"{SEED}.ttl").read_text(encoding="utf-8"))
    assert (f"{SEED}.ttl:{line_of(turtle, 'quote:marked a lpo:Quote')}: Warning: A quote's text begins or ends with "
            "a quotation mark") in result.stderr
    assert "    focus node: quote:marked\n    path: schema:text\n" in result.stderr
