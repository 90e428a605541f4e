"""The union of the named graphs, cut into one segment per unit, so that its dumps concatenate.

A line of the union (an N-Triples line) belongs to the segment of the first unit, in the order of the graphs'
names, whose graph holds it: segments hold no line twice, and the N-Triples dump is their concatenation in
that order (its gzipped copy the concatenation of their gzip members, which RFC 1952 allows). Repeats across
graphs are handled where they arise: a change to one unit can only move the lines it adds or removes from
one segment to another, so a rebuild rewrites the segments of the units that changed and of the few units
that take over or give up those lines, and takes every other segment as it was.

Segments are kept in the cache under the name of their content (`segments/<slug>.<digest>.nt`), each with its
gzip member (`.nt.gz`) and its counts (`.json`: triples, and triples per property and entities per class,
which add up over segments since no line is in two).
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import tempfile
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

import pyoxigraph as ox

__all__ = ["Segments", "gz_member", "triple_line", "triple_lines", "write_atomically"]

GZIP_LEVEL = 6
RDF_TYPE = b"<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"


def triple_line(quad_line: bytes) -> bytes:
    """An N-Quads line of a named graph without its graph (an IRI, the last term on the line)."""
    return quad_line[:quad_line.rindex(b" <")] + b" .\n"


def triple_lines(quads_file: Path) -> list[bytes]:
    """The lines of a unit's N-Quads file without their graph."""
    return [triple_line(line) for line in quads_file.read_bytes().splitlines(keepends=True)]


def write_atomically(path: Path, data: bytes | Iterable[bytes]) -> None:
    """Write a file under a name of its own first, then rename it: a reader (or another build sharing the
    cache) sees the whole file or none. `data` may come in pieces, which are never joined in memory."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    with os.fdopen(fd, "wb") as handle:
        if isinstance(data, bytes):
            handle.write(data)
        else:
            handle.writelines(data)
    os.chmod(tmp, 0o644)
    os.replace(tmp, path)


def gz_member(path: Path) -> Path:
    """A file's gzip member beside it (no name, no time: the same bytes for the same file), made if missing."""
    packed = path.with_name(path.name + ".gz")
    if not packed.exists():
        write_atomically(packed, gzip.compress(path.read_bytes(), compresslevel=GZIP_LEVEL, mtime=0))
    return packed


class Segments:
    """Segments in a cache folder."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)

    def write(self, slug: str, lines: list[bytes]) -> Path:
        """The segment of these lines (made if missing), with its gzip member and counts."""
        data = b"".join(lines)
        path = self.folder / f"{slug}.{hashlib.sha256(data).hexdigest()[:32]}.nt"
        if not path.exists():
            counts = _counts(lines)
            write_atomically(path.with_name(path.name + ".json"), json.dumps(counts).encode("utf-8"))
            write_atomically(path, data)
        gz_member(path)
        return path

    def named(self, name: str) -> Path | None:
        """A segment by its file name as a manifest lists it, if it is still there."""
        path = self.folder / name if name and "/" not in name and not name.startswith(".") else None
        return path if path is not None and path.exists() else None

    @staticmethod
    def counts(path: Path) -> dict:
        return json.loads(path.with_name(path.name + ".json").read_text(encoding="utf-8"))

    def cold(self, units: list[tuple[str, Path]]) -> list[Path]:
        """Every unit's segment, `units` being (slug, N-Quads file) in the order of their graphs."""
        seen: set[bytes] = set()
        found = []
        for slug, quads_file in units:
            mine = []
            for line in triple_lines(quads_file):
                key = hashlib.blake2b(line, digest_size=16).digest()
                if key not in seen:
                    seen.add(key)
                    mine.append(line)
            found.append(self.write(slug, mine))
        return found

    def update(self, units: list[tuple[str, str, Path]], before: dict[str, tuple[Path, Path | None]],
               store: ox.Store, ignore: Iterable[str]) -> tuple[dict[str, Path], list[ox.Triple], list[ox.Triple]]:
        """The segments that change when the units in `before` changed, came or went.

        `units`: (graph, slug, N-Quads file) of every unit now, in the order of their graphs; `before`: for
        each graph that changed, came or went, its N-Quads file before (None if it came) and now (None if it
        went); `store`: the store already holding the units as they are now, whose graphs tell who holds a
        line (except the graphs in `ignore`). Returns graph -> new segment for every unit whose segment is
        not the one it had, and the triples that joined the union and that left it."""
        order = {graph: i for i, (graph, _, _) in enumerate(units)}
        files = {graph: (slug, path) for graph, slug, path in units}
        skip = {ox.NamedNode(g) for g in ignore}
        redo = {g for g in before if g in files}
        movers: dict[bytes, set[str]] = {}
        for graph, (old, new) in before.items():
            lines_before = set(triple_lines(old)) if old is not None else set()
            lines_now = set(triple_lines(new)) if new is not None else set()
            for line in lines_before ^ lines_now:
                movers.setdefault(line, set()).add(graph)
        moved = sorted(movers)
        triples = ox.parse(b"".join(moved), format=ox.RdfFormat.N_TRIPLES, lenient=True)
        joined, left = [], []
        for line, triple in zip(moved, triples, strict=True):
            now = set(self._holders(store, triple, skip))
            was = now ^ movers[line]
            if bool(now) != bool(was):
                (joined if now else left).append(triple)
            # The first holder now and the first holder before: the segments a moved line leaves or joins.
            for owners in (now, was):
                first = min((g for g in owners if g in order), key=order.get, default=None)
                if first is not None:
                    redo.add(first)
        found = {}
        for graph in sorted(redo, key=order.get):
            slug, path = files[graph]
            found[graph] = self.write(slug, self._own_lines(path, store, skip, order, order[graph]))
        return found, joined, left

    @staticmethod
    def _holders(store: ox.Store, triple: ox.Triple, skip: set) -> list[str]:
        return [q.graph_name.value for q in store.quads_for_pattern(triple.subject, triple.predicate, triple.object,
                                                                    None)
                if isinstance(q.graph_name, ox.NamedNode) and q.graph_name not in skip]

    def _own_lines(self, path: Path, store: ox.Store, skip: set, order: dict[str, int], mine: int) -> list[bytes]:
        """The unit's lines that no unit before it holds."""
        lines = triple_lines(path)
        triples = ox.parse(b"".join(lines), format=ox.RdfFormat.N_TRIPLES, lenient=True)
        return [line for line, t in zip(lines, triples, strict=True)
                if not any(order.get(g, mine) < mine for g in self._holders(store, t, skip))]


def _counts(lines: list[bytes]) -> dict:
    properties: Counter = Counter()
    classes: Counter = Counter()
    for line in lines:
        _, p, rest = line.split(b" ", 2)
        properties[p[1:-1].decode("utf-8")] += 1
        if p == RDF_TYPE:
            classes[rest[:-3].decode("utf-8")] += 1
    return {"triples": len(lines), "properties": dict(properties), "classes": dict(classes)}
