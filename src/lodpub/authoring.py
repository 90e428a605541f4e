"""Starting a new source document: `lodpub new` (the files) and `lodpub draft` (its quotations, to complete).

Both write Turtle in the form an author keeps writing by hand: IRIs relative to the base, spans given by the
words they select (see anchoring.py), never by offsets.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from .sources import SLUG, read_text
from .vocab import STANDARD_PREFIXES

__all__ = ["draft", "quotations", "scaffold", "to_quoting_form"]

# The prefixes a document's Turtle starts with: our kinds of things, then the standard vocabularies.
KINDS = ("document", "person", "agent", "group", "organization", "account", "role", "membership", "place",
         "event", "communication", "letter", "message", "work", "quote", "claim", "time", "inference",
         "evidence", "span")
PREFIX_NAMES = {"document": "doc", "time": "when"}
STANDARD = ("rdf", "rdfs", "xsd", "skos", "dcterms", "schema", "prov", "foaf", "org", "time", "oa")
# A quotation: words between double quotation marks, curly or straight (the text may mix them).
QUOTATION = re.compile(r"[“\"]([^“”\"\n]{2,})[”\"]")
TITLE_CHARS = 80


def prefixes() -> str:
    width = max(len(PREFIX_NAMES.get(k, k)) for k in KINDS) + 1
    lines = [f"@prefix {'lpo:':<{width + 1}} <ontology#> ."]
    lines += [f"@prefix {PREFIX_NAMES.get(k, k) + ':':<{width + 1}} <id/{k}/> ." for k in KINDS]
    lines += [f"@prefix {p + ':':<{width + 1}} <{STANDARD_PREFIXES[p]}> ." for p in STANDARD]
    return "\n".join(lines) + "\n"


def turtle_string(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def scaffold(data_dir: Path, slug: str, text_file: Path) -> tuple[Path, Path]:
    """Copy the text to data/<slug>.txt and write data/<slug>.ttl with the prefixes and the document resource;
    refuse to overwrite either."""
    if not SLUG.match(slug):
        raise ValueError(f"{slug!r} is not a slug: lowercase letters, digits and hyphens, such as city-memo")
    text_out, ttl_out = data_dir / f"{slug}.txt", data_dir / f"{slug}.ttl"
    for path in (text_out, ttl_out):
        if path.exists():
            raise ValueError(f"{path} already exists: pick another slug, or edit it")
    text = read_text(text_file)
    first_line = text.strip().split("\n", 1)[0].strip()
    title = first_line if len(first_line) <= TITLE_CHARS else first_line[:TITLE_CHARS].rsplit(" ", 1)[0] + " …"
    data_dir.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(text_file, text_out)
    ttl_out.write_text(
        f"# lodpub source document \"{slug}\": what {slug}.txt says, as Linked Data.\n"
        "# Give a span by its words: lpo:supportedBy [ oa:exact \"the words\" ] (add oa:prefix, oa:suffix or\n"
        "# lpo:occurrence N where the words occur more than once); `lodpub draft` lists the quotations.\n\n"
        + prefixes() +
        f"\ndoc:{slug} a lpo:SourceDocument , schema:Article , foaf:Document , prov:Entity ;\n"
        f"    rdfs:label {turtle_string(title)}@en ;\n"
        f"    # A title the text does not give itself: the editors supply it (change it as you like).\n"
        f"    lpo:suppliedTitle {turtle_string(title)}@en ;\n"
        f"    dcterms:identifier {turtle_string(slug)} ;\n"
        "    dcterms:format \"text/plain\" ;\n"
        "    schema:inLanguage \"en\" .\n", encoding="utf-8")
    return text_out, ttl_out


def quotations(text: str) -> list[tuple[str, int]]:
    """Every quotation in the text, as (its words, which occurrence of those words it is, from 1)."""
    found = []
    for m in QUOTATION.finditer(text):
        words = m.group(1).strip()
        start = m.start(1) + m.group(1).index(words)
        found.append((words, text.count(words, 0, start) + 1 if text.count(words) > 1 else 0))
    return found


def draft(data_dir: Path, slug: str) -> str:
    """Turtle with every quotation of data/<slug>.txt as a draft lpo:Quote: its words and its span, and the
    speaker and the act it comes from left for the author to fill in."""
    text_file = data_dir / f"{slug}.txt"
    if not text_file.exists():
        raise ValueError(f"{text_file} does not exist: start the document with `lodpub new {slug} --text FILE`")
    text = read_text(text_file)
    out = [f"# Draft quotes of {slug}.txt, for an author to complete: give each its speaker\n"
           "# (prov:wasAttributedTo) and the act it was said in (prov:wasGeneratedBy, an lpo:Communication).\n"]
    for n, (words, occurrence) in enumerate(quotations(text), start=1):
        span = f"[ oa:exact {turtle_string(words)}" + (f" ; lpo:occurrence {occurrence}" if occurrence else "") + " ]"
        label = words if len(words) <= 60 else words[:57] + "…"
        out.append(
            f"quote:{slug}-{n} a lpo:Quote ;\n"
            f"    rdfs:label {turtle_string('“' + label + '”')}@en ;\n"
            f"    schema:text {turtle_string(words)}@en ;\n"
            f"    # prov:wasAttributedTo person:WHO ;\n"
            f"    # prov:wasGeneratedBy communication:WHICH-ACT ;\n"
            f"    lpo:supportedBy {span} .\n")
    return "\n".join(out)


def to_quoting_form(turtle: str, text: str, slug: str) -> str:
    """A document's Turtle with its hand-written spans (offsets and exact text) given by their words instead:
    each reference to `span:<slug>-<start>-<end>` becomes `[ oa:exact "..." ]` (with lpo:occurrence where the
    words occur more than once), and the span's own description goes, since the build writes it again. The
    graph the build makes of it is the same. A span whose quote selector has a prefix or suffix is left as is."""
    from .anchoring import Match, find, span_label

    block = re.compile(rf"^span:{re.escape(slug)}-(\d+)-(\d+) a lpo:TextSpan\b.*?\] \.\n\n?", re.M | re.S)
    quoted: dict[str, str] = {}

    def drop(m: re.Match) -> str:
        if "oa:prefix" in m.group(0) or "oa:suffix" in m.group(0):
            return m.group(0)
        start, end = int(m.group(1)), int(m.group(2))
        words = text[start:end]
        matches = [(x.start, x.end) for x in find(text, words)]
        nth = f" ; lpo:occurrence {matches.index((start, end)) + 1}" if len(matches) > 1 else ""
        label = re.search(r'rdfs:label ("(?:[^"\\]|\\.)*")@en', m.group(0))
        own = label and label.group(1) != turtle_string(span_label(text, Match(start, end)))
        named = f" ; rdfs:label {label.group(1)}@en" if own else ""
        quoted[f"span:{slug}-{start}-{end}"] = f"[ oa:exact {turtle_string(words)}{nth}{named} ]"
        return ""

    turtle = block.sub(drop, turtle)
    return re.sub(rf"span:{re.escape(slug)}-\d+-\d+\b", lambda m: quoted.get(m.group(0), m.group(0)), turtle)
