"""The build: parse -> enrich -> store -> check -> publish (dumps, VoID) into the dist folder.

Each source document is a unit of work, kept in a cache (`.lodpub-cache/`, `LODPUB_CACHE_DIR`):
- its parsed and enriched quads, as sorted N-Quads, keyed by the document's digest, the ontology's digest, the
  base and lodpub's version: an unchanged document is never parsed again;
- a mark that it passed SHACL, keyed by those quads, the shapes' digest and the digest of its context (what
  other documents say of the resources it mentions): an unchanged document whose context did not change is
  never validated again.
A build reads every document's quads from the cache into a new store, validates what changed, and writes the
dumps by streaming from the cached files, so memory does not grow with the dataset.

Everything is written into a staging folder first and swapped in only when all of it succeeded, so a
failed build leaves what was published before exactly as it was.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import multiprocessing
import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import pyoxigraph as ox
from tqdm import tqdm

from . import __version__
from .config import Settings
from .dumps import describe_dataset, write_dumps
from .enrich import Entailments
from .fulltext import FILE as SEARCH_INDEX
from .fulltext import write_index
from .locate import locate
from .manifest import MANIFEST, read_manifest
from .report import InputError, Problem
from .sources import Source, discover_documents, folder_source, quads, read_source
from .store import with_union
from .validate import CONTEXT_PREDICATES, Validator, default_engine, resolve_shape_namespaces
from .vocab import Names

VOID_FILE = "void.ttl"
# Part of every cache key: bump it when what the cache holds changes meaning.
CACHE_FORMAT = f"lodpub-{__version__}-cache-1"
ONTOLOGY_UNIT = "_ontology"   # not a slug, so no document can take its place in the cache
STORE_BATCH = 500_000         # quads handed to the store's bulk loader at once
VALIDATE_BATCH = 64           # documents handed to the validating processes at once
POOL_FROM = 16                # fewer documents to validate than this are validated in this process


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
        return cls(store, manifest["units"], manifest.get("validation", {}))


class Cache:
    """Files named `<slug>.<key>.<ext>` under one folder; written atomically, so builds may share it."""

    def __init__(self, root: Path) -> None:
        self.root = root
        for sub in ("quads", "valid"):
            (root / sub).mkdir(parents=True, exist_ok=True)

    def quads(self, slug: str, key: str) -> Path:
        return self.root / "quads" / f"{slug}.{key}.nq"

    def valid(self, slug: str, key: str) -> Path:
        return self.root / "valid" / f"{slug}.{key}.json"

    def context(self, digest: str) -> Path:
        return self.root / "valid" / f"_context.{digest}.nt"

    def valid_named(self, name: str) -> Path | None:
        """A validation mark by its file name, as a manifest lists it (None for a name that is not one)."""
        return self.root / "valid" / name if name and "/" not in name and not name.startswith(".") else None

    def write(self, path: Path, data: bytes) -> None:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)

    def prune(self, keep: list[Path]) -> None:
        """Forget older versions of the units kept (other slugs may belong to another data folder)."""
        kept = set(keep)
        slugs = {p.name.split(".", 1)[0] for p in keep}
        for sub in ("quads", "valid"):
            for path in (self.root / sub).iterdir():
                if path.name.split(".", 1)[0] in slugs and path not in kept:
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


def prepare(settings: Settings, store_path: Path, progress: bool = False, previous: Previous | None = None) -> Checked:
    """Read every input (from the cache when unchanged) into a new store at `store_path`, and validate what
    changed; raise InputError naming every problem found.

    With a `previous` build, its store is copied (hard links: a few milliseconds) and only the graphs that
    changed are rewritten in it; without, the store is filled from every unit's quads."""
    clock = Clock()
    names = Names(settings.base)
    documents = discover_documents(settings.data_dir, names)
    ontology_source = folder_source(settings.ontology_dir, "ontology", names.ontology)
    shapes_source = folder_source(settings.shapes_dir, "shapes", names.shapes)
    ontology = read_source(ontology_source, names)
    shapes = resolve_shape_namespaces(read_source(shapes_source, names), names.base)
    entailments = Entailments(ontology, names.lpo)
    cache = Cache(settings.cache_dir)
    ontology_digest = ontology_source.digest()

    units: list[Unit] = []
    parsed: list[str] = []
    problems: list[Problem] = []

    def unit(source: Source, slug: str, document: str, triples=None) -> Unit | None:
        key = digest(CACHE_FORMAT, names.base, ontology_digest, source.digest())
        path = cache.quads(slug, key)
        if not path.exists():
            try:
                found = triples if triples is not None else entailments.enrich(read_source(source, names))
            except InputError as error:
                problems.extend(error.problems)
                return None
            cache.write(path, sorted_nquads(found, source.graph))
            parsed.append(slug)
        return Unit(slug, source.graph, document, str(source.turtle[0]), key, path)

    units.append(unit(ontology_source, ONTOLOGY_UNIT, names.ontology, ontology))
    for document in _bar(documents, progress, "parse", "doc"):
        units.append(unit(document, document.slug, names.document(document.slug)))
    if problems:
        raise InputError(problems)
    units.sort(key=lambda u: u.graph)
    clock.lap("parse")
    lines = None
    if previous is not None:
        try:
            lines = _update(units, store_path, previous, cache, [names.shapes, names.dataset], progress)
        except _StartAfresh:
            shutil.rmtree(store_path, ignore_errors=True)
    updated = lines is not None
    if lines is None:
        lines = _load(units, store_path, progress)
    # The context: what any unit says of a resource's type and labels, merged (see _context_of).
    text = b"".join(sorted(lines))
    context_digest = hashlib.sha256(text).hexdigest()
    if not cache.context(context_digest).exists():
        cache.write(cache.context(context_digest), text)
    context = ox.Store()
    context.load(text, format=ox.RdfFormat.N_TRIPLES)
    clock.lap("store")
    checked = Checked(names, units, shapes, parsed=parsed, seconds=clock.laps, context=context_digest,
                      updated=updated)
    marks = _validate(checked, cache, shapes, shapes_source.digest(), context, progress, previous)
    cache.prune([u.quads for u in units] + marks + [cache.context(context_digest)])
    clock.lap("validate")
    return checked


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


def _load(units: list[Unit], store_path: Path, progress: bool) -> set[bytes]:
    """Fill the store from the units' cached quads, each in its named graph and in the default graph (see
    `store.with_union`); return the context lines (what any unit says of a resource's type and labels).

    Lines are handled as text: the cache wrote them, one canonical N-Quads line per quad. They are parsed here
    rather than by Oxigraph's file loader, which would give blank nodes new labels per file, so that the copy in
    the default graph would no longer be the same node (and the store's labels would differ from the dumps')."""
    keep = {str(p).encode() for p in CONTEXT_PREDICATES}
    context_lines: set[bytes] = set()
    total = sum(u.quads.stat().st_size for u in units)

    def every_quad(bar) -> Iterator[ox.Quad]:
        for u in units:
            data = u.quads.read_bytes()
            u.count = data.count(b"\n")
            context_lines.update(_context_lines(data, keep))
            yield from ox.parse(data, format=ox.RdfFormat.N_QUADS, lenient=True)
            bar.update(len(data))

    store = ox.Store(str(store_path))
    with _bar(None, progress, "store", "B", total) as bar:
        bar.unit_scale = True
        # In batches: the bulk loader holds all it is given in memory (one call at 1M triples: 2.1 GB).
        stream = with_union(every_quad(bar))
        while batch := list(itertools.islice(stream, STORE_BATCH)):
            store.bulk_extend(batch)
    store.flush()
    del store
    return context_lines


class _StartAfresh(Exception):
    """The published build cannot be updated (what it was made from is no longer in the cache)."""


def _context_lines(data: bytes, keep: set[bytes]) -> Iterator[bytes]:
    """The context lines among a unit's N-Quads lines, without their graph."""
    for line in data.splitlines(keepends=True):
        s, p, rest = line.split(b" ", 2)
        if p in keep and s.startswith(b"<") and not rest.startswith(b"_:"):
            yield triple_line(line)


def _update(units: list[Unit], store_path: Path, previous: Previous, cache: Cache, published_only: list[str],
            progress: bool) -> set[bytes]:
    """Copy the published store and rewrite in it the graphs whose units changed, came or went; return the
    context lines, the previous build's with the changes applied (the same lines `_load` would collect: never
    from the graphs the build adds after validation, `published_only`, the shapes and VoID)."""
    keep = {str(p).encode() for p in CONTEXT_PREDICATES}
    now = {u.graph: u for u in units}
    changed = [u for u in units if previous.units.get(u.graph, {}).get("key") != u.key]
    changed_graphs = {u.graph for u in changed}
    replaced = [g for g in previous.units if g not in now] + [u.graph for u in changed if u.graph in previous.units]
    before_files = {g: cache.quads(_slug_of(g, previous), previous.units[g]["key"]) for g in replaced}
    context_file = cache.context(previous.validation.get("context", ""))
    if not context_file.exists() or not all(f.exists() for f in before_files.values()):
        raise _StartAfresh
    lines = set(context_file.read_bytes().splitlines(keepends=True))
    published = ox.Store.read_only(str(previous.store))
    published.backup(str(store_path))
    del published
    store = ox.Store(str(store_path))
    with _bar(None, progress, "store", "graph", len(changed) + len(replaced)) as bar:
        for u in units:
            if u.graph not in changed_graphs:
                u.count = previous.units[u.graph]["count"]
        fresh = {}
        for u in changed:
            data = u.quads.read_bytes()
            fresh[u.graph] = list(ox.parse(data, format=ox.RdfFormat.N_QUADS, lenient=True))
            u.count = len(fresh[u.graph])
            lines.update(_context_lines(data, keep))
        replace_graphs(store, {**{g: [] for g in replaced}, **fresh})
        bar.update(len(changed) + len(replaced))
        # A line of a replaced graph stays only if the graph of some unit still says it.
        others = {ox.DefaultGraph(), *(ox.NamedNode(g) for g in published_only)}
        for path in before_files.values():
            for line in set(_context_lines(path.read_bytes(), keep)):
                if line in lines and not any(q.graph_name not in others
                                             for q in store.quads_for_pattern(*_triple_of(line), None)):
                    lines.discard(line)
    store.flush()
    del store
    return lines


def _slug_of(graph: str, previous: Previous) -> str:
    return previous.units[graph].get("slug") or graph.rsplit("/", 1)[-1]


def _triple_of(line: bytes) -> tuple:
    t = next(iter(ox.parse(line, format=ox.RdfFormat.N_TRIPLES)))
    return t.subject, t.predicate, t.object


def replace_graphs(store: ox.Store, graphs: dict[str, list[ox.Quad]]) -> None:
    """Make each named graph hold exactly the quads given, and keep the default graph the union of the named
    graphs: a triple leaves it only when no named graph has it any more."""
    left: set[ox.Triple] = set()
    for graph, quads_now in graphs.items():
        name = ox.NamedNode(graph)
        before = set(store.quads_for_pattern(None, None, None, name))
        after = _as_stored(quads_now)
        store.extend(with_union(after - before))
        for quad in before - after:
            store.remove(quad)
            left.add(quad.triple)
    default = ox.DefaultGraph()
    for t in left:
        if not any(not isinstance(q.graph_name, ox.DefaultGraph)
                   for q in store.quads_for_pattern(t.subject, t.predicate, t.object, None)):
            store.remove(ox.Quad(t.subject, t.predicate, t.object, default))


def _as_stored(quads_now: list[ox.Quad]) -> set[ox.Quad]:
    """The quads as a store gives them back, to compare with what it holds: Oxigraph keeps some literals in a
    canonical form (an xsd:nonNegativeInteger comes back as an xsd:integer)."""
    scratch = ox.Store()
    scratch.extend(quads_now)
    return set(scratch)


def triple_line(quad_line: bytes) -> bytes:
    """An N-Quads line of a named graph without its graph (an IRI, the last term on the line)."""
    return quad_line[:quad_line.rindex(b" <")] + b" .\n"


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


# --- validation, one document at a time, in as many processes as there are cores ----------------------------

_worker: Validator | None = None
_worker_for: tuple[bytes, str] | None = None


def _start_worker(shapes_nt: bytes, engine: str) -> None:
    global _worker, _worker_for
    if _worker_for != (shapes_nt, engine):
        _worker = Validator(ox.parse(shapes_nt, format=ox.RdfFormat.N_TRIPLES), engine)
        _worker_for = (shapes_nt, engine)


def _validate_one(job: tuple[str, bytes, bytes]) -> list[Problem]:
    file, own, context = job
    subjects = {s.decode("utf-8") for s in _mentioned(own)[0]}
    return _worker.check_text(own + context, subjects, file)


def _context_of(iris: set[bytes], own_nt: bytes, context: ox.Store) -> bytes:
    """What the rest of the dataset says of the type and labels of the resources mentioned, as N-Triples."""
    found = set()
    for iri in iris:
        for q in context.quads_for_pattern(ox.NamedNode(iri[1:-1].decode("utf-8")), None, None, ox.DefaultGraph()):
            found.add(q.triple)
    if not found:
        return b""
    own = set(own_nt.splitlines(keepends=True))
    lines = ox.serialize(found, format=ox.RdfFormat.N_TRIPLES).splitlines(keepends=True)
    return b"".join(sorted(set(lines) - own))


def _validate(checked: Checked, cache: Cache, shapes: list[ox.Triple], shapes_digest: str, context: ox.Store,
              progress: bool, previous: Previous | None = None) -> list[Path]:
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
    pool = None
    shapes_nt = ox.serialize(shapes, format=ox.RdfFormat.N_TRIPLES)

    def run(jobs: list[tuple[Unit, Path, bytes, bytes]]) -> None:
        nonlocal pool
        work = [(u.file, own, ctx) for u, _, own, ctx in jobs]
        if pool is None and len(jobs) >= POOL_FROM and (os.cpu_count() or 1) > 1:
            # Spawned, not forked: a fork would inherit the store's and the SHACL engine's thread pools
            # without their threads, and hang.
            pool = multiprocessing.get_context("spawn").Pool(os.cpu_count(), _start_worker, (shapes_nt, engine))
        if pool is None:
            _start_worker(shapes_nt, engine)
            results = map(_validate_one, work)
        else:
            results = pool.imap(_validate_one, work)
        for (u, mark, _, _), found in zip(jobs, results, strict=True):
            checked.validated.append(u.slug)
            problems.extend(found)
            if not any(p.severity == "Violation" for p in found):
                cache.write(mark, json.dumps([asdict(p) for p in found]).encode("utf-8"))
            checked.warnings.extend(p for p in found if p.severity != "Violation")
            bar.update(1)

    try:
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
    finally:
        if pool is not None:
            pool.close()
            pool.join()
    violations = [p for p in problems if p.severity == "Violation"]
    if violations:
        raise InputError(locate(sorted(violations, key=lambda p: (p.file or "", p.focus or "", p.path or "",
                                                                  p.message)), checked.names.base))
    return marks


def check(settings: Settings, progress: bool = False) -> Checked:
    """Read and validate every input (into a throwaway store); raise InputError naming every problem found."""
    with tempfile.TemporaryDirectory(prefix="lodpub-check-") as tmp:
        return prepare(settings, Path(tmp) / "store", progress)


def build(settings: Settings, progress: bool = False) -> dict:
    """Check the inputs, then publish store, dumps and VoID into the dist folder in one swap."""
    dist = settings.dist_dir
    staging = dist.with_name(f".{dist.name}.building")
    if staging.exists():
        shutil.rmtree(staging)
    staging.mkdir(parents=True)
    try:
        checked = prepare(settings, staging / "store", progress, Previous.of(dist, Names(settings.base)))
        clock = Clock()
        names = checked.names
        data = checked.units
        distributions, stats = write_dumps([u.quads for u in data], staging / "dumps", names.prefixes(),
                                           staging / "work", progress)
        clock.lap("dumps")
        stats.graphs = {u.graph: u.count for u in data}
        store = ox.Store(str(staging / "store"))
        stats.distinct_objects = _distinct_objects(store, [names.shapes, names.dataset])
        void = describe_dataset(names, stats, checked.sources, distributions, settings.title, settings.license)
        (staging / VOID_FILE).write_bytes(ox.serialize(void, format=ox.RdfFormat.TURTLE,
                                                       prefixes=names.prefixes()))
        replace_graphs(store, {names.shapes: list(quads(checked.shapes, names.shapes)),
                               names.dataset: list(quads(void, names.dataset))})
        store.flush()
        if not checked.updated:
            # One compaction after the batches of the bulk loader: scans of a compacted store are faster (the
            # bench's REGEX row shows it). An update in place adds a few small files to a compacted store, and
            # skips this.
            store.optimize()
        served = checked.quads + len(checked.shapes) + len(void)
        write_index(store, staging / SEARCH_INDEX, names.lpo, digest(*sorted(u.key for u in data)), dist / SEARCH_INDEX)
        del store
        clock.lap("finish")
        shutil.rmtree(staging / "work", ignore_errors=True)
        manifest = {
            "base": names.base,
            "built": datetime.now(timezone.utc).replace(microsecond=0).isoformat(),
            "graphs": sorted(checked.sources),
            "quads": served,
            "dumps": [d.path.name for d in distributions],
            "parsed": len(checked.parsed),
            "validated": len(checked.validated),
            "seconds": {**checked.seconds, **clock.laps},
            "store": "updated" if checked.updated else "filled",
            # What the next build needs to start from this one (Previous).
            "cache_format": CACHE_FORMAT,
            "validation": checked.validation,
            "units": {u.graph: {"slug": u.slug, "key": u.key, "count": u.count,
                                "mark": checked.marks.get(u.graph, "")} for u in data},
        }
        (staging / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
        _swap(staging, dist)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return {**manifest, "parsed": checked.parsed, "validated": checked.validated}


def _distinct_objects(store: ox.Store, leave_out: list[str]) -> int:
    """Distinct objects over the data's named graphs (not the shapes and VoID graphs `leave_out` names)."""
    others = ", ".join(f"<{g}>" for g in leave_out)
    result = store.query(f"SELECT (COUNT(DISTINCT ?o) AS ?n) WHERE {{ GRAPH ?g {{ ?s ?p ?o }} "
                         f"FILTER(?g NOT IN ({others})) }}")
    return int(next(iter(result))[0].value)


def _swap(staging: Path, dist: Path) -> None:
    """Replace the published folder with the staged one: a rename each, never a half-written dist."""
    old = dist.with_name(f".{dist.name}.old-{os.getpid()}")
    if dist.exists():
        os.rename(dist, old)
    os.rename(staging, dist)
    shutil.rmtree(old, ignore_errors=True)
