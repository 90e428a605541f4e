"""The build: parse -> enrich -> store -> check -> publish (dumps, VoID) into the dist folder.

Each source document is a unit of work, kept in a cache (`.lodpub-cache/`, `LODPUB_CACHE_DIR`):
- its parsed and enriched quads, as sorted N-Quads, keyed by the document's digest, the ontology's digest, the
  base and lodpub's version: an unchanged document is never parsed again;
- a mark that it passed SHACL, keyed by those quads, the shapes' digest and the digest of its context (what
  other documents say of the resources it mentions): an unchanged document whose context did not change is
  never validated again;
- its segment of the union (segments.py) and the pieces of the dumps made from it (gzip members, Turtle, TriG).
A cold build loads every document's quads from the cache into a new store; a rebuild copies the published store
and rewrites the graphs that changed. Both validate what changed and write the dumps by concatenating cached
files, so memory does not grow with the dataset. When nothing changed, the published build stays as it is.
Parsing and SHACL run in one process per core.

Everything is written into a folder of its own and published in one step only when all of it succeeded
(dist.py), so a failed or killed build leaves what was published before exactly as it was.
"""

from __future__ import annotations

import bisect
import hashlib
import itertools
import json
import multiprocessing
import os
import shutil
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import pyoxigraph as ox
from tqdm import tqdm

from . import __version__
from .config import Settings
from .dist import MANIFEST, VOID_FILE, Publishing, checkpoint, read_manifest
from .dist import current as current_build
from .dumps import Statistics, describe_dataset, segment_statistics, write_dumps
from .enrich import Entailments
from .fulltext import FILE as SEARCH_INDEX
from .fulltext import write_index
from .jsonld import CONTEXT_FILE, make_context
from .literals import as_stored
from .locate import locate
from .report import InputError, Problem
from .segments import Segments, gz_member, triple_line, write_atomically
from .sources import Source, discover_documents, folder_source, quads, read_source
from .store import with_union
from .validate import CONTEXT_PREDICATES, Validator, default_engine, resolve_shape_namespaces
from .versions import dataset_hash, describe_versions, graph_hash, graphs_digest, version_name
from .vocab import OA, Names

# Part of every cache key: bump it when what the cache holds changes meaning.
CACHE_FORMAT = f"lodpub-{__version__}-cache-2"
ONTOLOGY_UNIT = "_ontology"   # not a slug, so no document can take its place in the cache
FINGERPRINTS = "fingerprints.json"   # under the cache folder: see Fingerprints
STORE_BATCH = 125_000         # quads handed to the bulk loader at once: its memory grows with this, its speed barely
VALIDATE_BATCH = 64           # documents handed to the validating processes at once
HASH_POOL_FROM = 64          # fewer graphs to hash than this are hashed in this process
POOL_FROM = 16                # fewer documents to parse or validate than this are handled in this process


@dataclass
class Unit:
    """One named graph of the build: a source document, or the ontology."""

    slug: str
    graph: str
    document: str          # the resource the graph is derived from (VoID's prov:wasDerivedFrom)
    file: str              # where problems are told
    key: str               # cache key of its parsed, enriched quads
    quads: Path            # those quads, as sorted N-Quads
    count: int = 0         # how many
    segment: Path | None = None   # its segment of the union (segments.py)


@dataclass
class Checked:
    """Inputs read and validated: what a build publishes."""

    names: Names
    units: list[Unit]
    shapes: list[ox.Triple]
    warnings: list[Problem] = field(default_factory=list)
    parsed: list[str] = field(default_factory=list)      # slugs parsed this time (not taken from the cache)
    validated: list[str] = field(default_factory=list)   # slugs validated this time
    seconds: dict[str, float] = field(default_factory=dict)   # time taken by each step
    context: str = ""                                     # digest of what all units say of types and labels
    validation: dict[str, str] = field(default_factory=dict)   # engine, shapes digest and context digest
    marks: dict[str, str] = field(default_factory=dict)   # graph -> name of its validation mark in the cache
    updated: bool = False                                 # the store was the published one, updated in place
    distinct: dict[str, int] | None = None                # the union's distinct terms, when known from the last build
    reindex: set[str] | None = None                       # IRIs whose search rows may differ from the last build's

    @property
    def documents(self) -> int:
        return sum(1 for u in self.units if u.slug != ONTOLOGY_UNIT)

    @property
    def quads(self) -> int:
        return sum(u.count for u in self.units)

    @property
    def sources(self) -> dict[str, str]:
        return {u.graph: u.document for u in self.units}


@dataclass
class Previous:
    """The published build, as far as a new build can start from it: its store and what went into it."""

    store: Path
    units: dict[str, dict]     # graph -> {"key": cache key of its quads, "count": quads, "mark": mark file name}
    validation: dict           # the SHACL engine, the shapes' digest and the context's digest it validated with
    manifest: dict = field(default_factory=dict)    # all of its manifest

    @classmethod
    def of(cls, dist: Path, names: Names) -> Previous | None:
        """The build in `dist`, if it was made by this version of lodpub for the same base; else None."""
        try:
            manifest = read_manifest(dist)
        except (OSError, ValueError):
            return None
        store = dist / "store"
        if (manifest.get("cache_format") != CACHE_FORMAT or manifest.get("base") != names.base
                or not isinstance(manifest.get("units"), dict) or not (store / "CURRENT").exists()):
            return None
        return cls(store, manifest["units"], manifest.get("validation", {}), manifest)


class Cache:
    """Files named `<slug>.<key>.<ext>` under one folder; written atomically, so builds may share it."""

    def __init__(self, root: Path) -> None:
        self.root = root
        for sub in ("quads", "valid"):
            (root / sub).mkdir(parents=True, exist_ok=True)
        self.segments = Segments(root / "segments")

    def quads(self, slug: str, key: str) -> Path:
        return self.root / "quads" / f"{slug}.{key}.nq"

    def valid(self, slug: str, key: str) -> Path:
        return self.root / "valid" / f"{slug}.{key}.json"

    def context(self, digest: str) -> Path:
        return self.root / "valid" / f"_context.{digest}.nt"

    def valid_named(self, name: str) -> Path | None:
        """A validation mark by its file name, as a manifest lists it (None for a name that is not one)."""
        return self.root / "valid" / name if name and "/" not in name and not name.startswith(".") else None

    def write(self, path: Path, data: bytes | Iterable[bytes]) -> None:
        write_atomically(path, data)

    def prune(self, keep: list[Path]) -> None:
        """Forget older versions of the units kept (other slugs may belong to another data folder); a kept
        file keeps the files made from it (`<its name>.<more>`: gzip members, counts, other formats)."""
        kept = {p.name for p in keep}
        slugs = {name.split(".", 1)[0] for name in kept}
        for sub in ("quads", "valid", "segments"):
            for path in (self.root / sub).iterdir():
                parts = path.name.split(".")
                if parts[0] in slugs and ".".join(parts[:3]) not in kept:
                    path.unlink(missing_ok=True)


def digest(*parts: str) -> str:
    h = hashlib.sha256()
    for part in parts:
        h.update(part.encode("utf-8") + b"\0")
    return h.hexdigest()[:32]


def sorted_nquads(triples: list[ox.Triple], graph: str) -> bytes:
    """A graph as N-Quads, one line per distinct quad, sorted: the same bytes for the same graph."""
    text = ox.serialize(quads(triples, graph), format=ox.RdfFormat.N_QUADS)
    return b"".join(sorted(set(text.splitlines(keepends=True))))


@dataclass
class Inputs:
    """What a build reads, found and fingerprinted, before anything is parsed."""

    names: Names
    documents: list[Source]
    ontology: Source
    shapes: Source
    ontology_digest: str
    fingerprints: Fingerprints

    def key(self, source: Source) -> str:
        """The cache key of a source's parsed, enriched quads."""
        return digest(CACHE_FORMAT, self.names.base, self.ontology_digest, self.fingerprints.digest(source))


def find_inputs(settings: Settings, cache: Cache) -> Inputs:
    names = Names(settings.base)
    fingerprints = Fingerprints(cache.root / FINGERPRINTS)
    ontology = folder_source(settings.ontology_dir, "ontology", names.ontology)
    return Inputs(names, discover_documents(settings.data_dir, names), ontology,
                  folder_source(settings.shapes_dir, "shapes", names.shapes), fingerprints.digest(ontology),
                  fingerprints)


def prepare(settings: Settings, store_path: Path, progress: bool = False, previous: Previous | None = None,
            inputs: Inputs | None = None) -> Checked:
    """Read every input (from the cache when unchanged) into a new store at `store_path`, and validate what
    changed; raise InputError naming every problem found.

    With a `previous` build, its store is copied (hard links: a few milliseconds) and only the graphs that
    changed are rewritten in it; without, the store is filled from every unit's quads."""
    clock = Clock()
    cache = Cache(settings.cache_dir)
    inputs = inputs or find_inputs(settings, cache)
    names = inputs.names
    ontology_source, shapes_source = inputs.ontology, inputs.shapes
    ontology = read_source(ontology_source, names)
    shapes = resolve_shape_namespaces(read_source(shapes_source, names), names.base)
    workers = Workers(ox.serialize(ontology, format=ox.RdfFormat.N_TRIPLES), names.lpo, names.base,
                      ox.serialize(shapes, format=ox.RdfFormat.N_TRIPLES), default_engine())

    units: list[Unit] = []
    parsed: list[str] = []
    problems: list[Problem] = []
    todo: list[tuple[Source, str]] = []

    def unit(source: Source, slug: str, document: str) -> Unit:
        key = inputs.key(source)
        path = cache.quads(slug, key)
        if not path.exists():
            todo.append((source, str(path)))
            parsed.append(slug)
        return Unit(slug, source.graph, document, str(source.turtle[0]), key, path)

    ontology_unit = unit(ontology_source, ONTOLOGY_UNIT, names.ontology)
    if todo:
        cache.write(ontology_unit.quads, sorted_nquads(ontology, ontology_source.graph))
        todo.clear()
    units.append(ontology_unit)
    units.extend(unit(d, d.slug, names.document(d.slug)) for d in inputs.documents)
    try:
        with _bar(None, progress, "parse", "doc", len(todo)) as bar:
            for found in workers.map(_parse_one, todo, len(todo) >= POOL_FROM):
                problems.extend(found)
                bar.update(1)
        if problems:
            raise InputError(problems)
        # The workers' memory goes back while the store loads; validation starts them again.
        workers.close()
        inputs.fingerprints.save()
        units.sort(key=lambda u: u.graph)
        clock.lap("parse")
        # The context: what any unit says of a resource's type and labels, merged, as sorted lines (see
        # _context_of), and their digest.
        context, context_digest, delta, reindex = None, None, None, None
        if previous is not None:
            try:
                context, context_digest, delta, reindex = _update(units, store_path, previous, cache,
                                                                  [names.shapes, names.dataset], progress)
            except _StartAfresh:
                shutil.rmtree(store_path, ignore_errors=True)
        updated = context is not None
        if context is None:
            context = sorted(_load(units, store_path, cache, progress))
        if context_digest is None:
            # Line by line: joined, the context of a big dataset is one more copy of it in memory, at the
            # build's peak.
            hashed = hashlib.sha256()
            for line in context:
                hashed.update(line)
            context_digest = hashed.hexdigest()
            if not cache.context(context_digest).exists():
                cache.write(cache.context(context_digest), context)
        clock.lap("store")
        checked = Checked(names, units, shapes, parsed=parsed, seconds=clock.laps, context=context_digest,
                          updated=updated, reindex=reindex)
        if delta is not None and isinstance(previous.manifest.get("distinct"), dict):
            checked.distinct = {k: previous.manifest["distinct"][k] + delta[k] for k in delta}
        marks = _validate(checked, cache, shapes_source.digest(), context, progress, workers, previous)
    finally:
        workers.close()
    cache.prune([u.quads for u in units] + [u.segment for u in units] + marks + [cache.context(context_digest)])
    clock.lap("validate")
    return checked


class Fingerprints:
    """The digest of each source, kept with its files' size and change times (`<cache>/fingerprints.json`),
    so that a build tells an unchanged source without reading it: a file is read again only when its size,
    inode or modification or change time differ (as make and git tell a changed file)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            self.known: dict[str, list] = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            self.known = {}
        self.seen: dict[str, list] = {}

    def digest(self, source: Source) -> str:
        files = (*source.turtle, *([source.text] if source.text else []))
        stats = []
        for path in files:
            st = path.stat()
            stats.append([path.name, st.st_size, st.st_ino, st.st_mtime_ns, st.st_ctime_ns])
        known = self.known.get(source.graph)
        found = known[1] if known and known[0] == stats else source.digest()
        self.seen[source.graph] = [stats, found]
        return found

    def save(self) -> None:
        """Keep what this build saw (sources that are gone are forgotten)."""
        if self.seen != self.known:
            write_atomically(self.path, json.dumps(self.seen, separators=(",", ":")).encode("utf-8"))


class Workers:
    """One pool of processes (one per core) for the steps that split per document: parsing and SHACL.

    Spawned, not forked: a fork would inherit the store's and the SHACL engine's thread pools without their
    threads, and hang. Started on first use, and only for enough work to repay the start."""

    def __init__(self, *setup) -> None:
        self.setup = setup
        self.pool = None

    def map(self, function, jobs: list, parallel: bool) -> Iterator:
        if not jobs:
            return iter(())
        if parallel and self.pool is None and (os.cpu_count() or 1) > 1:
            self.pool = multiprocessing.get_context("spawn").Pool(os.cpu_count(), _start_worker, self.setup)
        if self.pool is None:
            _start_worker(*self.setup)
            return map(function, jobs)
        return self.pool.imap(function, jobs, chunksize=1)

    def close(self) -> None:
        if self.pool is not None:
            self.pool.close()
            self.pool.join()
            self.pool = None


class Clock:
    def __init__(self) -> None:
        self.laps: dict[str, float] = {}
        self.last = time.perf_counter()

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.laps[name] = round(now - self.last, 3)
        self.last = now


def _bar(items, progress: bool, desc: str, unit: str, total: int | None = None):
    return tqdm(items, desc=f"{desc:>8}", unit=unit, total=total, disable=not progress, mininterval=0.5,
                dynamic_ncols=True)


def _load(units: list[Unit], store_path: Path, cache: Cache, progress: bool) -> set[bytes]:
    """Fill the store from the units' cached quads: every named graph, then the default graph from the union's
    segments (see segments.py; they make the N-Triples dump), each in a pass of its own so that the bulk
    loader writes each index once and the store stays compact. Return the context lines (what any unit says
    of a resource's type and labels).

    The quads are parsed here and handed over as terms rather than loaded by Oxigraph's file loader, which
    would give every blank node a new random label: the store's labels would then differ from the dumps' and
    from one build to the next, and a store updated in place would no longer be the one a fresh build makes."""
    keep = {str(p).encode() for p in CONTEXT_PREDICATES}
    context_lines: set[bytes] = set()
    store = ox.Store(str(store_path))
    with _bar(None, progress, "store", "B", sum(u.quads.stat().st_size for u in units)) as bar:
        bar.unit_scale = True

        def named() -> Iterator[ox.Quad]:
            for u in units:
                data = u.quads.read_bytes()
                u.count = data.count(b"\n")
                context_lines.update(_context_lines(data, keep))
                yield from ox.parse(data, format=ox.RdfFormat.N_QUADS, lenient=True)
                bar.update(len(data))

        _bulk(store, named())
    with _bar(units, progress, "union", "doc") as bar:
        for u, segment in zip(units, cache.segments.cold([(u.slug, u.quads) for u in units]), strict=True):
            u.segment = segment
            bar.update(1)

    def union() -> Iterator[ox.Quad]:
        for u in _bar(units, progress, "store", "doc"):
            # N-Triples lines are N-Quads lines of the default graph.
            yield from ox.parse(u.segment.read_bytes(), format=ox.RdfFormat.N_QUADS, lenient=True)

    _bulk(store, union())
    store.flush()
    del store
    return context_lines


def _bulk(store: ox.Store, quads: Iterator[ox.Quad]) -> None:
    # In batches: the bulk loader holds all it is given in memory.
    while batch := list(itertools.islice(quads, STORE_BATCH)):
        store.bulk_extend(batch)


class _StartAfresh(Exception):
    """The published build cannot be updated (what it was made from is no longer in the cache)."""


def _context_lines(data: bytes, keep: set[bytes]) -> Iterator[bytes]:
    """The context lines among a unit's N-Quads lines, without their graph."""
    for line in data.splitlines(keepends=True):
        s, p, rest = line.split(b" ", 2)
        if p in keep and s.startswith(b"<") and not rest.startswith(b"_:"):
            yield triple_line(line)


def _update(units: list[Unit], store_path: Path, previous: Previous, cache: Cache, published_only: list[str],
            progress: bool) -> tuple[list[bytes], str | None, dict[str, int], set[str]]:
    """Copy the published store and rewrite in it the graphs whose units changed, came or went; return the
    context lines, the previous build's with the changes applied (the same lines `_load` would collect: never
    from the graphs the build adds after validation, `published_only`, the shapes and VoID), sorted, with the
    previous digest when they did not change (else None); the change to the union's distinct terms, and the
    IRIs whose rows in the search index may change (`_reindexed`)."""
    keep = {str(p).encode() for p in CONTEXT_PREDICATES}
    now = {u.graph: u for u in units}
    changed = [u for u in units if previous.units.get(u.graph, {}).get("key") != u.key]
    changed_graphs = {u.graph for u in changed}
    replaced = [g for g in previous.units if g not in now] + [u.graph for u in changed if u.graph in previous.units]
    before_files = {g: cache.quads(_slug_of(g, previous), previous.units[g]["key"]) for g in replaced}
    context_file = cache.context(previous.validation.get("context", ""))
    if not context_file.exists() or not all(f.exists() for f in before_files.values()):
        raise _StartAfresh
    for u in units:
        if u.graph not in changed_graphs:
            u.segment = cache.segments.named(previous.units[u.graph].get("segment", ""))
            if u.segment is None:
                raise _StartAfresh
    # The previous context, sorted as written; what the change adds and takes away is kept apart, so that an
    # unchanged context is neither sorted, hashed nor written again.
    before_lines = context_file.read_bytes().splitlines(keepends=True)
    added: set[bytes] = set()
    removed: set[bytes] = set()

    def had(line: bytes) -> bool:
        at = bisect.bisect_left(before_lines, line)
        return at < len(before_lines) and before_lines[at] == line
    published = ox.Store.read_only(str(previous.store))
    published.backup(str(store_path))
    del published
    store = ox.Store(str(store_path))
    # The graphs a build adds last (`published_only`) stay as the previous build left them, and are replaced
    # by what changes in them at the end (`replace_published`): every look at the store here leaves them out.
    reindex: set[str] = set()
    with _bar(None, progress, "store", "graph", len(changed) + len(replaced)) as bar:
        for u in units:
            if u.graph not in changed_graphs:
                u.count = previous.units[u.graph]["count"]
        fresh = {}
        for u in changed:
            data = u.quads.read_bytes()
            fresh[u.graph] = list(ox.parse(data, format=ox.RdfFormat.N_QUADS, lenient=True))
            u.count = len(fresh[u.graph])
            added.update(line for line in _context_lines(data, keep) if not had(line))
        reindex |= _reindexed(itertools.chain(
            *(ox.parse(path=str(f), format=ox.RdfFormat.N_QUADS, lenient=True) for f in before_files.values()),
            *fresh.values()))
        replace_graphs(store, {**{g: [] for g in replaced}, **fresh})
        bar.update(len(changed) + len(replaced))
        # A line of a replaced graph stays only if the graph of some unit still says it.
        others = {ox.DefaultGraph(), *(ox.NamedNode(g) for g in published_only)}
        for path in before_files.values():
            for line in set(_context_lines(path.read_bytes(), keep)):
                if (line in added or had(line)) and not any(q.graph_name not in others
                                                            for q in store.quads_for_pattern(*_triple_of(line), None)):
                    added.discard(line)
                    removed.add(line)
    with _bar(None, progress, "union", "doc") as bar:
        moved = {g: (before_files.get(g), now[g].quads if g in now else None) for g in replaced}
        moved.update({u.graph: (None, u.quads) for u in changed if u.graph not in previous.units})
        segments, joined, left = cache.segments.update([(u.graph, u.slug, u.quads) for u in units], moved, store,
                                                       published_only)
        for graph, segment in segments.items():
            now[graph].segment = segment
        delta = _distinct_delta(store, joined, left, published_only)
        bar.update(1)
    store.flush()
    del store
    removed = {line for line in removed if had(line)}
    if not added and not removed:
        return before_lines, previous.validation["context"], delta, reindex
    lines = [line for line in before_lines if line not in removed] if removed else before_lines
    lines.extend(added)
    lines.sort()      # one sorted run and a few lines: timsort merges them in one pass
    return lines, None, delta, reindex


def _reindexed(quads: Iterable[ox.Quad]) -> set[str]:
    """The IRIs whose rows in the search index a change to these quads' graphs may change: every subject (its
    names, types and texts), and every source a span points into (the facts listed with its passages)."""
    has_source = ox.NamedNode(OA + "hasSource")
    found: set[str] = set()
    for quad in quads:
        if isinstance(quad.subject, ox.NamedNode):
            found.add(quad.subject.value)
        if quad.predicate == has_source and isinstance(quad.object, ox.NamedNode):
            found.add(quad.object.value)
    return found


def _distinct_delta(store: ox.Store, joined: list[ox.Triple], left: list[ox.Triple],
                    published_only: list[str]) -> dict[str, int]:
    """How many distinct subjects, entities (IRI subjects) and objects the union gained (or lost) with the
    triples that joined or left it; the store's default graph is the union after the change, and also holds the
    previous build's `published_only` graphs (shapes, VoID), whose triples count only where a unit says them."""
    delta = {"subjects": 0, "entities": 0, "objects": 0}
    default = ox.DefaultGraph()
    others = {default, *(ox.NamedNode(g) for g in published_only)}

    def in_units(t: ox.Triple) -> bool:
        return any(q.graph_name not in others for q in store.quads_for_pattern(t.subject, t.predicate, t.object))

    for key in ("subjects", "objects"):
        def term(t: ox.Triple, key=key):
            return t.subject if key == "subjects" else t.object
        added, removed = Counter(map(term, joined)), Counter(map(term, left))
        for node in set(added) | set(removed):
            pattern = (node, None, None) if key == "subjects" else (None, None, node)
            not_data = {q.triple for g in others - {default} for q in store.quads_for_pattern(*pattern, g)}
            not_data = {t for t in not_data if not in_units(t)}
            enough = added[node] + 1
            found = itertools.islice(store.quads_for_pattern(*pattern, default), enough + len(not_data))
            now = min(enough, sum(1 for q in found if q.triple not in not_data))
            before = now >= enough or now - added[node] + removed[node] > 0
            change = int(now > 0) - int(before)
            delta[key] += change
            if key == "subjects" and isinstance(node, ox.NamedNode):
                delta["entities"] += change
    return delta


def _slug_of(graph: str, previous: Previous) -> str:
    return previous.units[graph].get("slug") or graph.rsplit("/", 1)[-1]


def _triple_of(line: bytes) -> tuple:
    t = next(iter(ox.parse(line, format=ox.RdfFormat.N_TRIPLES)))
    return t.subject, t.predicate, t.object


def replace_graphs(store: ox.Store, graphs: dict[str, list[ox.Quad]]) -> set[ox.Quad]:
    """Make each named graph hold exactly the quads given, and keep the default graph the union of the named
    graphs: a triple leaves it only when no named graph has it any more. A graph given no quads is dropped by
    the engine (`_drop_graph`). Returns the quads of graphs given some that came or went."""
    left: set[ox.Triple] = set()
    changed: set[ox.Quad] = set()
    for graph, quads_now in graphs.items():
        if not quads_now:
            _drop_graph(store, graph)
            continue
        name = ox.NamedNode(graph)
        before = set(store.quads_for_pattern(None, None, None, name))
        after = _as_stored(quads_now)
        store.extend(with_union(after - before))
        for quad in before - after:
            store.remove(quad)
            left.add(quad.triple)
        changed |= before ^ after
    default = ox.DefaultGraph()
    for t in left:
        if not any(not isinstance(q.graph_name, ox.DefaultGraph)
                   for q in store.quads_for_pattern(t.subject, t.predicate, t.object, None)):
            store.remove(ox.Quad(t.subject, t.predicate, t.object, default))
    return changed


def replace_published(store: ox.Store, graphs: dict[str, list[ox.Quad]]) -> set[str]:
    """Put the graphs a build adds last (shapes, VoID) into the store; return the IRIs they say something
    different of. A store without them (a cold build) takes them in one pass of the bulk loader: its files go
    in compressed and leave no write-ahead log, where a transaction leaves a log as big as what it wrote, for
    good (the store is served read-only). An updated store holds the previous build's: only what differs is
    written, where VoID lists every graph and grows with the dataset."""
    fresh = {g: quads for g, quads in graphs.items()
             if next(iter(store.quads_for_pattern(None, None, None, ox.NamedNode(g))), None) is None}
    store.bulk_extend(list(with_union([q for quads in fresh.values() for q in quads])))
    changed = replace_graphs(store, {g: quads for g, quads in graphs.items() if g not in fresh})
    changed.update(q for quads in fresh.values() for q in quads)
    return {q.subject.value for q in changed if isinstance(q.subject, ox.NamedNode)}


def _drop_graph(store: ox.Store, graph: str) -> None:
    """Remove a named graph, and from the default graph each of its triples that no other named graph holds:
    in one update, which the engine runs where a loop would look up every triple from Python (VoID, dropped
    by every rebuild, lists every graph's hash for each kept version: it grows with the dataset)."""
    store.update(f"""DELETE {{ ?s ?p ?o }} WHERE {{
  GRAPH <{graph}> {{ ?s ?p ?o }}
  FILTER NOT EXISTS {{ GRAPH ?other {{ ?s ?p ?o }} FILTER(?other != <{graph}>) }}
}}""")
    store.remove_graph(ox.NamedNode(graph))


def _as_stored(quads_now: list[ox.Quad]) -> set[ox.Quad]:
    """The quads as a store gives them back, to compare with what it holds: Oxigraph keeps some literals in a
    canonical form (an xsd:nonNegativeInteger comes back as an xsd:integer)."""
    scratch = ox.Store()
    scratch.extend(quads_now)
    return set(scratch)


def _mentioned(own_nt: bytes) -> tuple[set[bytes], set[bytes]]:
    """The subjects of N-Triples lines, and every IRI they mention as subject or object."""
    subjects, iris = set(), set()
    for line in own_nt.splitlines():
        s, _, rest = line.split(b" ", 2)
        subjects.add(s)
        obj = rest[:-2].rstrip()          # without the final " ."
        if obj.startswith(b"<") and obj.endswith(b">") and b'"' not in obj:
            iris.add(obj)
    iris.update(x for x in subjects if x.startswith(b"<"))
    return subjects, iris


# --- the work done per document, in as many processes as there are cores -----------------------------------

_setup: tuple | None = None
_entailments: tuple[Names, Entailments] | None = None
_validator: Validator | None = None


def _start_worker(ontology_nt: bytes, namespace: str, base: str, shapes_nt: bytes, engine: str) -> None:
    """Remember what the work needs; each part is made on first use (a parsing worker never compiles shapes)."""
    global _setup, _entailments, _validator
    if _setup != (ontology_nt, namespace, base, shapes_nt, engine):
        _setup = (ontology_nt, namespace, base, shapes_nt, engine)
        _entailments = _validator = None


def _parse_one(job: tuple[Source, str]) -> list[Problem]:
    """Parse and enrich one source into its cache file; its problems, if any."""
    global _entailments
    source, path = job
    ontology_nt, namespace, base, _, _ = _setup
    if _entailments is None:
        _entailments = (Names(base), Entailments(ox.parse(ontology_nt, format=ox.RdfFormat.N_TRIPLES), namespace))
    names, entailments = _entailments
    try:
        triples = entailments.enrich(read_source(source, names))
    except InputError as error:
        return error.problems
    write_atomically(Path(path), sorted_nquads(triples, source.graph))
    gz_member(Path(path))
    return []


def _validate_one(job: tuple[str, bytes, bytes]) -> list[Problem]:
    global _validator
    if _validator is None:
        _validator = Validator(ox.parse(_setup[3], format=ox.RdfFormat.N_TRIPLES), _setup[4])
    file, own, context = job
    subjects = {s.decode("utf-8") for s in _mentioned(own)[0]}
    return _validator.check_text(own + context, subjects, file)


def _context_of(iris: set[bytes], own_nt: bytes, context: list[bytes]) -> bytes:
    """What the rest of the dataset says of the type and labels of the resources mentioned, as N-Triples.

    `context` is every such line of the dataset, sorted: a subject's lines are found by bisection, where
    loading them all into a store would cost a one-document rebuild time in proportion to the dataset."""
    found: set[bytes] = set()
    for iri in iris:
        subject = iri + b" "
        at = bisect.bisect_left(context, subject)
        while at < len(context) and context[at].startswith(subject):
            found.add(context[at])
            at += 1
    return b"".join(sorted(found - set(own_nt.splitlines(keepends=True))))


def _validate(checked: Checked, cache: Cache, shapes_digest: str, context: list[bytes], progress: bool,
              workers: Workers, previous: Previous | None = None) -> list[Path]:
    """Validate the units whose quads, shapes or context changed; return the cache marks of all of them.

    A unit's mark is keyed by its quads, the engine, the shapes and its context, which takes a look at every
    resource it mentions. When no type or label changed anywhere (the whole context has the digest of the
    previous build's), an unchanged unit keeps its previous mark without that look."""
    engine = default_engine()
    checked.validation = {"engine": engine, "shapes": shapes_digest, "context": checked.context}
    same_context = previous is not None and previous.validation == checked.validation
    marks: list[Path] = []
    todo: list[tuple[Unit, Path, bytes, bytes]] = []
    problems: list[Problem] = []

    def run(jobs: list[tuple[Unit, Path, bytes, bytes]]) -> None:
        work = [(u.file, own, ctx) for u, _, own, ctx in jobs]
        results = workers.map(_validate_one, work, len(jobs) >= POOL_FROM)
        for (u, mark, _, _), found in zip(jobs, results, strict=True):
            checked.validated.append(u.slug)
            problems.extend(found)
            if not any(p.severity == "Violation" for p in found):
                cache.write(mark, json.dumps([asdict(p) for p in found]).encode("utf-8"))
            checked.warnings.extend(p for p in found if p.severity != "Violation")
            bar.update(1)

    with _bar(checked.units, progress, "validate", "doc") as bar:
        for u in checked.units:
            before = previous.units.get(u.graph, {}) if same_context else {}
            kept = cache.valid_named(before.get("mark", "")) if before.get("key") == u.key else None
            if kept is not None and kept.name.startswith(f"{u.slug}.") and kept.exists():
                marks.append(kept)
                checked.marks[u.graph] = kept.name
                checked.warnings.extend(Problem(**p) for p in json.loads(kept.read_text(encoding="utf-8")))
                bar.update(1)
                continue
            own = b"".join(triple_line(line) for line in u.quads.read_bytes().splitlines(keepends=True))
            around = _context_of(_mentioned(own)[1], own, context)
            key = digest(u.key, engine, shapes_digest, hashlib.sha256(around).hexdigest())
            mark = cache.valid(u.slug, key)
            marks.append(mark)
            checked.marks[u.graph] = mark.name
            if mark.exists():
                checked.warnings.extend(Problem(**p) for p in json.loads(mark.read_text(encoding="utf-8")))
                bar.update(1)
                continue
            todo.append((u, mark, own, around))
            if len(todo) >= VALIDATE_BATCH:
                run(todo)
                todo = []
        run(todo)
    violations = [p for p in problems if p.severity == "Violation"]
    if violations:
        raise InputError(locate(sorted(violations, key=lambda p: (p.file or "", p.focus or "", p.path or "",
                                                                  p.message)), checked.names.base))
    return marks


def check(settings: Settings, progress: bool = False) -> Checked:
    """Read and validate every input (into a throwaway store); raise InputError naming every problem found."""
    with tempfile.TemporaryDirectory(prefix="lodpub-check-") as tmp:
        return prepare(settings, Path(tmp) / "store", progress)


def build(settings: Settings, progress: bool = False, wait: bool = True) -> dict:
    """Check the inputs, then publish store, dumps and VoID as a new build of the dist folder (dist.py): written
    into a folder of its own under the folder's lock, and published in one step.

    When nothing that goes into the build changed since the published one (every source by its fingerprint,
    the ontology, the shapes, the SHACL engine, the settings VoID states), the published build stays as it is:
    nothing is read, written or published."""
    dist = settings.dist_dir
    names = Names(settings.base)
    with Publishing(dist, settings.keep_builds, wait,
                    on_wait=lambda message: print(message, file=sys.stderr, flush=True)) as publishing:
        staging = publishing.staging
        previous = Previous.of(current_build(dist), names)
        inputs = find_inputs(settings, Cache(settings.cache_dir))
        if previous is not None and _nothing_changed(inputs, previous, settings):
            inputs.fingerprints.save()
            return {**read_manifest(dist), "parsed": [], "validated": [], "unchanged": True}
        checked = prepare(settings, staging / "store", progress, previous, inputs)
        checkpoint("prepared")
        clock = Clock()
        data = checked.units
        ontology = (q.triple for u in data if u.slug == ONTOLOGY_UNIT
                    for q in ox.parse(path=str(u.quads), format=ox.RdfFormat.N_QUADS))
        context = make_context(ontology, names.prefixes(), names.lpo)
        (staging / CONTEXT_FILE).write_text(json.dumps(context, indent=1) + "\n", encoding="utf-8")
        distributions = write_dumps([u.quads for u in data], [u.segment for u in data], staging / "dumps",
                                    names.prefixes(), staging / "work", progress, context,
                                    settings.dump_parts_from)
        checkpoint("dumps")
        clock.lap("dumps")
        built = datetime.now(timezone.utc).replace(microsecond=0)
        citable = _citable(data, distributions, previous, settings.rdfc_whole_limit)
        version = publishing.free_name(version_name(built, citable["rdfc"]["digest"]))
        manifest = {"base": names.base, "built": built.isoformat(), "version": version, **citable}
        kept = [(b.version, b.manifest) for b in publishing.kept_after(version, manifest)]
        clock.lap("hashes")
        store = ox.Store(str(staging / "store"))
        stats = _statistics(data, store, checked.distinct)
        void = describe_dataset(names, stats, checked.sources, distributions, settings.title, settings.license)
        void = as_stored(void + describe_versions(names, version, kept, citable["rdfc"]["graphs"]))
        (staging / VOID_FILE).write_bytes(ox.serialize(void, format=ox.RdfFormat.TURTLE,
                                                       prefixes=names.prefixes()))
        # Any new files may start a compaction, which rewrites what it touches uncompressed (docs/benchmark.md).
        published = replace_published(store, {names.shapes: list(quads(checked.shapes, names.shapes)),
                                              names.dataset: list(quads(void, names.dataset))})
        served = checked.quads + len(checked.shapes) + len(void)
        reindex = None if checked.reindex is None else checked.reindex | published
        write_index(store, staging / SEARCH_INDEX, names.lpo, digest(*sorted(u.key for u in data)),
                    current_build(dist) / SEARCH_INDEX, reindex)
        del store
        clock.lap("finish")
        shutil.rmtree(staging / "work", ignore_errors=True)
        manifest.update({
            "sequence": max((b.manifest.get("sequence", 0) for b in publishing.previous()), default=0) + 1,
            "graphs": sorted(checked.sources),
            "quads": served,
            "dumps": [d.path.name for d in distributions],
            "parsed": len(checked.parsed),
            "validated": len(checked.validated),
            "seconds": {**checked.seconds, **clock.laps},
            "store": "updated" if checked.updated else "filled",
            # What the next build needs to start from this one (Previous), or to tell that nothing changed.
            "cache_format": CACHE_FORMAT,
            "settings": _settings_digest(settings),
            "distinct": {"subjects": stats.distinct_subjects, "objects": stats.distinct_objects,
                         "entities": stats.entities},
            "validation": checked.validation,
            "units": {u.graph: {"slug": u.slug, "key": u.key, "count": u.count,
                                "mark": checked.marks.get(u.graph, ""), "segment": u.segment.name,
                                "rdfc": citable["rdfc"]["graphs"][u.graph],
                                "blank": citable["blank"][u.graph]} for u in data},
        })
        del manifest["blank"]
        (staging / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
        checkpoint("manifest")
        publishing.publish(version)
    return {**manifest, "parsed": checked.parsed, "validated": checked.validated, "unchanged": False}


def _citable(units: list[Unit], distributions: list, previous: Previous | None, whole_limit: int) -> dict:
    """The RDFC-1.0 hashes of each graph (an unchanged graph's taken from the previous build), their digest (the
    content hash of the version), and of the whole when the data has at most `whole_limit` quads (canonicalizing
    the whole costs time in proportion to all of it, on every build that changes anything); and the dumps as
    the versions' description lists them."""
    before = previous.units if previous is not None else {}
    graphs, blank = {}, {}
    todo = []
    for u in units:
        kept = before.get(u.graph, {})
        if kept.get("key") == u.key and "rdfc" in kept:
            graphs[u.graph], blank[u.graph] = kept["rdfc"], kept.get("blank", True)
        else:
            todo.append(u)
    if len(todo) >= HASH_POOL_FROM and (os.cpu_count() or 1) > 1:
        with multiprocessing.get_context("spawn").Pool(os.cpu_count()) as pool:
            found = pool.map(graph_hash, [u.quads for u in todo], chunksize=16)
    else:
        found = [graph_hash(u.quads) for u in todo]
    for u, (value, has_blank) in zip(todo, found, strict=True):
        graphs[u.graph], blank[u.graph] = value, has_blank
    same = previous is not None and not todo and set(before) == set(graphs)
    whole = previous.manifest.get("rdfc", {}).get("dataset") if same else None
    if not whole and sum(u.count for u in units) <= whole_limit:
        whole = dataset_hash([u.quads for u in units], any(blank.values()))
    dumps = [{"name": d.path.name, "title": d.fmt.label + (" (gzip)" if d.gzipped else ""),
              "media_type": d.media_type, "bytes": d.byte_size, "sha256": d.sha256} for d in distributions]
    return {"rdfc": {"dataset": whole, "digest": graphs_digest(graphs), "graphs": graphs}, "blank": blank,
            "distributions": dumps}


def _settings_digest(settings: Settings) -> str:
    """What of the settings the published files state besides the data (VoID's title and license)."""
    return digest(settings.title, settings.license)


def _nothing_changed(inputs: Inputs, previous: Previous, settings: Settings) -> bool:
    """Whether the published build is what this one would make: the same units with the same keys, still in
    the cache with their validation marks, the same shapes and SHACL engine, the same settings."""
    if previous.manifest.get("settings") != _settings_digest(settings):
        return False
    if previous.validation.get("engine") != default_engine() \
            or previous.validation.get("shapes") != inputs.fingerprints.digest(inputs.shapes):
        return False
    cache = Cache(settings.cache_dir)
    units = [(ONTOLOGY_UNIT, inputs.ontology)] + [(d.slug, d) for d in inputs.documents]
    if len(units) != len(previous.units):
        return False
    for slug, source in units:
        before = previous.units.get(source.graph)
        if before is None or before.get("key") != inputs.key(source) or before.get("slug") != slug:
            return False
        mark = cache.valid_named(before.get("mark", ""))
        if mark is None or not mark.exists() or not cache.quads(slug, before["key"]).exists() \
                or cache.segments.named(before.get("segment", "")) is None:
            return False
    return True


def _statistics(units: list[Unit], store: ox.Store, distinct: dict[str, int] | None) -> Statistics:
    """VoID's counts: those that add up over the union's segments, and the distinct terms (`distinct`, known
    from the previous build and the change; else asked of the store, whose default graph is at this point of a
    build the union of the data's graphs: no shapes, no VoID)."""
    stats = segment_statistics([u.segment for u in units])
    stats.graphs = {u.graph: u.count for u in units}

    def count(what: str, where: str = "") -> int:
        found = store.query(f"SELECT (COUNT(DISTINCT {what}) AS ?n) WHERE {{ ?s ?p ?o {where} }}")
        return int(next(iter(found))[0].value)

    if distinct is None:
        distinct = {"subjects": count("?s"), "objects": count("?o"), "entities": count("?s", "FILTER(isIRI(?s))")}
    stats.distinct_subjects, stats.distinct_objects = distinct["subjects"], distinct["objects"]
    stats.entities = distinct["entities"]
    return stats

