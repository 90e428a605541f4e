"""The full-text index of a build: labels of things, and passages of source texts and quotes.

`write_index` runs once per build, over the store the build just filled, and writes one SQLite file (FTS5,
from Python's standard library) into the build's folder. The server only opens it read-only (`Searcher`);
neither side imports the other's modules. A search never scans the literals of the store.

Things are ranked as a reader expects: the exact label, then a label that starts with the words, then one
that holds them as words, then as a substring; things before text spans. Passages are ranked by BM25 and
come with the resources whose evidence spans lie in them.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from .vocab import DCTERMS, FOAF, OA, RDF, RDFS, SCHEMA, SKOS

__all__ = ["FILE", "write_index", "Searcher", "Hit", "Passage"]

FILE = "search.sqlite"
FORMAT = 2    # 2: passages are indexed by owner, so that a rebuild updates an index in place
# The properties whose literals name a thing (the first is preferred for display).
NAMING = (RDFS + "label", SKOS + "prefLabel", SCHEMA + "name", FOAF + "name", DCTERMS + "title",
          SCHEMA + "headline", SKOS + "altLabel", SCHEMA + "alternateName", SCHEMA + "familyName",
          FOAF + "familyName")
TEXT = SCHEMA + "text"
SENTENCE = re.compile(r"[^\n]+?(?:[.!?](?=[\s”\"’)]|$)[”\"’)]?|\n|$)")
FACTS_PER_PASSAGE = 12

SCHEMA_SQL = """
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE things(id INTEGER PRIMARY KEY, iri TEXT UNIQUE, label TEXT, is_span INTEGER);
CREATE TABLE names(thing INTEGER, name TEXT, lower TEXT);
CREATE TABLE types(thing INTEGER, type TEXT);
CREATE VIRTUAL TABLE name_words USING fts5(name, tokenize='unicode61 remove_diacritics 2');
CREATE VIRTUAL TABLE name_grams USING fts5(name, tokenize='trigram');
CREATE TABLE passages(id INTEGER PRIMARY KEY, owner TEXT, start INTEGER, "end" INTEGER, text TEXT, facts TEXT);
CREATE VIRTUAL TABLE passage_words USING fts5(text, content='passages', content_rowid='id',
                                              tokenize='unicode61 remove_diacritics 2');
"""


def _graph(store: ox.Store):
    """Where the data is: the default graph, which the build makes the union of the named graphs
    (store.with_union), else every graph."""
    return ox.DefaultGraph() if next(iter(store.quads_for_pattern(None, None, None, ox.DefaultGraph())), None) \
        else None


def _literals(store: ox.Store, predicate: str, graph, subjects: list[str] | None = None):
    """(subject IRI, literal) of a predicate: every subject's, or only those of `subjects`."""
    if subjects is None:
        found = store.quads_for_pattern(None, ox.NamedNode(predicate), None, graph)
    else:
        found = (q for s in subjects for q in store.quads_for_pattern(ox.NamedNode(s), ox.NamedNode(predicate),
                                                                     None, graph))
    for quad in found:
        if isinstance(quad.subject, ox.NamedNode) and isinstance(quad.object, ox.Literal):
            yield quad.subject.value, quad.object


def _key_of(path: Path) -> str | None:
    """The data key an index was written for, or None (no index, another format, unreadable)."""
    try:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            found = dict(db.execute("SELECT key, value FROM meta").fetchall())
        finally:
            db.close()
    except sqlite3.Error:
        return None
    return found.get("data") if found.get("format") == str(FORMAT) else None


def write_index(store: ox.Store, path: Path, lpo: str, key: str = "", previous: Path | None = None,
                changed: set[str] | None = None) -> None:
    """Write the index of everything `store` holds to `path` (replaced if there).

    `key` names the data (the build's digest of its units): when the `previous` build's index was written
    for the same key, it is linked (or copied) instead of written again, so a rebuild with nothing changed
    costs nothing here. When the build knows the IRIs whose rows may differ from the previous index's
    (`changed`: the subjects of every graph that changed, before and after, and the sources their spans point
    into), the previous index is copied and only their rows are written again. Otherwise a few scans by
    predicate and one query for the spans, never one query per resource or per document.
    """
    path.unlink(missing_ok=True)
    previous_key = _key_of(previous) if previous is not None and previous.exists() else None
    usable = previous_key is not None
    if key and previous_key == key:
        try:
            os.link(previous, path)
        except OSError:
            shutil.copyfile(previous, path)
        return
    graph = _graph(store)
    if changed is not None and usable:
        shutil.copyfile(previous, path)
        db = sqlite3.connect(path)
        subjects: list[str] | None = sorted(changed)
    else:
        db = sqlite3.connect(path)
        db.executescript(SCHEMA_SQL)
        db.execute("INSERT INTO meta VALUES ('format', ?)", (str(FORMAT),))
        subjects = None
    try:
        if subjects is not None:
            _forget(db, subjects)
        db.execute("INSERT OR REPLACE INTO meta VALUES ('data', ?)", (key,))
        _write(db, store, lpo, graph, subjects)
        if subjects is None:
            db.execute("CREATE INDEX names_thing ON names(thing)")
            db.execute("CREATE INDEX types_thing ON types(thing)")
            db.execute("CREATE INDEX passages_owner ON passages(owner)")
        db.commit()
    finally:
        db.close()


def _forget(db: sqlite3.Connection, subjects: list[str]) -> None:
    """Remove every row about these IRIs (their names, types and passages), from the full-text tables too."""
    for iri in subjects:
        found = db.execute("SELECT id FROM things WHERE iri = ?", (iri,)).fetchone()
        if found is not None:
            rows = [(r,) for (r,) in db.execute("SELECT rowid FROM names WHERE thing = ?", found)]
            db.executemany("DELETE FROM name_words WHERE rowid = ?", rows)
            db.executemany("DELETE FROM name_grams WHERE rowid = ?", rows)
            db.execute("DELETE FROM names WHERE thing = ?", found)
            db.execute("DELETE FROM types WHERE thing = ?", found)
            db.execute("DELETE FROM things WHERE id = ?", found)
        # An external-content FTS table forgets a row when told its old text.
        db.executemany("INSERT INTO passage_words(passage_words, rowid, text) VALUES ('delete', ?, ?)",
                       db.execute("SELECT id, text FROM passages WHERE owner = ?", (iri,)).fetchall())
        db.execute("DELETE FROM passages WHERE owner = ?", (iri,))


def _write(db: sqlite3.Connection, store: ox.Store, lpo: str, graph, subjects: list[str] | None) -> None:
    """The rows of every thing in the store, or of `subjects` only (into an index that has forgotten them)."""
    first = {table: db.execute(f"SELECT coalesce(max({column}), 0) FROM {table}").fetchone()[0]
             for table, column in (("things", "id"), ("names", "rowid"), ("passages", "id"))}
    ids: dict[str, int] = {}
    labels: dict[str, tuple[int, str]] = {}
    names: list[tuple[int, str]] = []
    seen: set[tuple[str, str]] = set()
    for rank, predicate in enumerate(NAMING):
        for iri, literal in _literals(store, predicate, graph, subjects):
            if (iri, literal.value) in seen:
                continue
            seen.add((iri, literal.value))
            thing = ids.setdefault(iri, first["things"] + len(ids) + 1)
            english = (literal.language or "en").startswith("en")
            key = (rank * 2 + (0 if english else 1), literal.value)
            if iri not in labels or key < labels[iri]:
                labels[iri] = key
            names.append((thing, literal.value))
    type_ = ox.NamedNode(RDF + "type")
    types = [(n, q.object.value) for iri, n in ids.items()
             for q in store.quads_for_pattern(ox.NamedNode(iri), type_, None, graph)
             if isinstance(q.object, ox.NamedNode)]
    spans = {n for n, t in types if t == lpo + "TextSpan"}
    db.executemany("INSERT INTO things VALUES (?, ?, ?, ?)",
                   ((n, iri, labels[iri][1], int(n in spans)) for iri, n in ids.items()))
    db.executemany("INSERT INTO names VALUES (?, ?, ?)", ((t, n, n.casefold()) for t, n in names))
    db.execute("INSERT INTO name_words(rowid, name) SELECT rowid, name FROM names WHERE rowid > ?", (first["names"],))
    db.execute("INSERT INTO name_grams(rowid, name) SELECT rowid, name FROM names WHERE rowid > ?", (first["names"],))
    db.executemany("INSERT INTO types VALUES (?, ?)", types)
    db.executemany("INSERT INTO passages(owner, start, \"end\", text, facts) VALUES (?, ?, ?, ?, ?)",
                   _passages(store, lpo, graph, subjects))
    db.execute("INSERT INTO passage_words(rowid, text) SELECT id, text FROM passages WHERE id > ?",
               (first["passages"],))


def _passages(store: ox.Store, lpo: str, graph, subjects: list[str] | None = None):
    """Sentences of every source text (with the resources its spans support), and every other text whole; or
    of `subjects` only."""
    sources = {q.subject.value for q in store.quads_for_pattern(
        None, ox.NamedNode(RDF + "type"), ox.NamedNode(lpo + "SourceDocument"), graph)}
    if subjects is not None:
        sources &= set(subjects)
    supported = _supported_spans(store, lpo, graph, None if subjects is None else sources) if sources else {}
    done: set[str] = set()
    for iri, literal in _literals(store, TEXT, graph, subjects):
        if iri in done:
            continue
        done.add(iri)
        if iri not in sources:
            yield iri, None, None, literal.value, json.dumps([iri])
            continue
        text = literal.value
        spans = sorted(supported.get(iri, ()))
        for match in SENTENCE.finditer(text):
            start, end = match.start(), match.end()
            words = text[start:end]
            if not words.strip():
                continue
            start += len(words) - len(words.lstrip())
            end -= len(words) - len(words.rstrip())
            inside = sorted((s for s in spans if s[0] < end and s[1] > start), key=lambda s: s[1] - s[0])
            facts: list[str] = []
            for _, _, resource in inside:
                if resource not in facts:
                    facts.append(resource)
            yield iri, start, end, text[start:end], json.dumps(facts[:FACTS_PER_PASSAGE])


def _supported_spans(store: ox.Store, lpo: str, graph,
                     sources: set[str] | None = None) -> dict[str, list[tuple[int, int, str]]]:
    """source -> (start, end, resource) for every span that supports a resource (or a blank node of one), in
    every source or in `sources` only."""
    only = "VALUES ?source { " + " ".join(f"<{s}>" for s in sorted(sources)) + " }" if sources else ""
    query = f"""
SELECT ?source ?start ?end ?x WHERE {{
  {only}
  ?x <{lpo}supportedBy> ?span . ?span <{OA}hasSource> ?source ; <{OA}hasSelector> ?sel .
  ?sel <{OA}start> ?start ; <{OA}end> ?end .
}}"""
    found: dict[str, list] = {}
    owners: dict = {}
    for row in store.query(query, use_default_graph_as_union=graph is None):
        x = row["x"]
        if isinstance(x, ox.BlankNode):
            if x not in owners:
                owners[x] = next((q.subject.value for q in store.quads_for_pattern(None, None, x, graph)
                                  if isinstance(q.subject, ox.NamedNode)), None)
            resource = owners[x]
        else:
            resource = x.value
        try:
            span = (int(row["start"].value), int(row["end"].value), resource)
        except ValueError:
            continue
        if resource is not None:
            found.setdefault(row["source"].value, []).append(span)
    return found


# --- reading ---------------------------------------------------------------------------------------------

@dataclass
class Hit:
    iri: str
    label: str
    rank: int            # 0 exact, 1 prefix, 2 word, 3 substring
    is_span: bool
    types: list[str] = field(default_factory=list)


@dataclass
class Passage:
    owner: str
    start: int | None
    end: int | None
    pieces: list[tuple[str, bool]]      # the text cut into (words, matched?)
    facts: list[str]


def _phrase(words: list[str]) -> str:
    """An FTS5 query that matches these words as given (each a quoted string, all required)."""
    return " ".join('"' + w.replace('"', '""') + '"' for w in words)


class Searcher:
    """Read-only access to one build's index."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)

    def close(self) -> None:
        self.db.close()

    def things(self, query: str, type_iri: str | None, limit: int, offset: int) -> tuple[list[Hit], int, list]:
        """One page of things whose names match, best first; the count of all; (type, count) of all matches."""
        q = " ".join(query.split()).casefold()
        words = re.findall(r"\w+", q)
        candidates = []
        if words:
            candidates.append(("SELECT rowid FROM name_words WHERE name_words MATCH ?", _phrase(words)))
        if len(q) >= 3:
            candidates.append(("SELECT rowid FROM name_grams WHERE name_grams MATCH ?", _phrase([q])))
        else:
            candidates.append(("SELECT rowid FROM names WHERE instr(lower, ?) > 0", q))
        union = " UNION ".join(sql for sql, _ in candidates)
        params = [p for _, p in candidates]
        ranked = f"""
WITH hits AS ({union}),
scored AS (
  SELECT n.thing AS thing, MIN(CASE WHEN n.lower = ? THEN 0 WHEN substr(n.lower, 1, length(?)) = ? THEN 1
                                    WHEN n.rowid IN (SELECT rowid FROM name_words WHERE name_words MATCH ?) THEN 2
                                    ELSE 3 END) AS rank
  FROM names n WHERE n.rowid IN hits GROUP BY n.thing)"""
        word_query = _phrase(words) if words else '""'
        args = [*params, q, q, q, word_query]
        type_filter = " AND s.thing IN (SELECT thing FROM types WHERE type = ?)" if type_iri else ""
        type_args = [type_iri] if type_iri else []
        rows = self.db.execute(
            f"{ranked} SELECT t.iri, t.label, s.rank, t.is_span FROM scored s JOIN things t ON t.id = s.thing "
            f"WHERE 1{type_filter} ORDER BY t.is_span, s.rank, lower(t.label), t.iri LIMIT ? OFFSET ?",
            [*args, *type_args, limit, offset]).fetchall()
        total = self.db.execute(f"{ranked} SELECT COUNT(*) FROM scored s WHERE 1{type_filter}",
                                [*args, *type_args]).fetchone()[0]
        facets = self.db.execute(
            f"{ranked} SELECT y.type, COUNT(*) FROM scored s JOIN types y ON y.thing = s.thing "
            f"GROUP BY y.type ORDER BY COUNT(*) DESC, y.type", args).fetchall()
        hits = [Hit(iri, label, rank, bool(span)) for iri, label, rank, span in rows]
        for hit in hits:
            hit.types = [t for (t,) in self.db.execute(
                "SELECT type FROM types WHERE thing = (SELECT id FROM things WHERE iri = ?)", (hit.iri,))]
        return hits, total, facets

    def count(self) -> int:
        return self.db.execute("SELECT COUNT(*) FROM things").fetchone()[0]

    def iris(self, offset: int, limit: int) -> list[str]:
        """Every named thing, a slice at a time, in the order they were indexed."""
        return [iri for (iri,) in self.db.execute("SELECT iri FROM things ORDER BY id LIMIT ? OFFSET ?",
                                                  (limit, offset))]

    def labels(self, iris: list[str]) -> dict[str, str]:
        """The display label of each of these things that the index names."""
        found: dict[str, str] = {}
        for i in range(0, len(iris), 500):
            chunk = iris[i:i + 500]
            marks = ", ".join("?" * len(chunk))
            found.update(self.db.execute(f"SELECT iri, label FROM things WHERE iri IN ({marks})", chunk).fetchall())
        return found

    def passages(self, query: str, limit: int, offset: int) -> tuple[list[Passage], int]:
        words = re.findall(r"\w+", query.casefold())
        if not words:
            return [], 0
        match = _phrase(words)
        total = self.db.execute("SELECT COUNT(*) FROM passage_words WHERE passage_words MATCH ?",
                                (match,)).fetchone()[0]
        rows = self.db.execute(
            "SELECT p.owner, p.start, p.\"end\", highlight(passage_words, 0, char(1), char(2)), p.facts "
            "FROM passage_words JOIN passages p ON p.id = passage_words.rowid WHERE passage_words MATCH ? "
            "ORDER BY bm25(passage_words), p.id LIMIT ? OFFSET ?", (match, limit, offset)).fetchall()
        return [Passage(owner, start, end, _pieces(marked), json.loads(facts))
                for owner, start, end, marked, facts in rows], total


def _pieces(marked: str) -> list[tuple[str, bool]]:
    """Text with \\x01...\\x02 around matches -> [(text, matched)]."""
    pieces = []
    for i, part in enumerate(re.split("[\x01\x02]", marked)):
        if part:
            pieces.append((part, i % 2 == 1))
    return pieces
