"""The build: parse -> enrich -> check -> publish (store, dumps, VoID) into the dist folder.

Everything is written into a staging folder first and swapped in only when all of it succeeded, so a
failed build leaves what was published before exactly as it was.
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import pyoxigraph as ox
from tqdm import tqdm

from .config import Settings
from .dumps import describe_dataset, write_dumps
from .enrich import Entailments
from .report import InputError, Problem
from .sources import Source, discover_documents, folder_source, quads, read_source
from .store import write_store
from .validate import Validator, resolve_shape_namespaces
from .vocab import Names

MANIFEST = "build.json"
VOID_FILE = "void.ttl"


@dataclass
class Checked:
    """Inputs read and validated: what a build publishes."""

    names: Names
    graphs: dict[str, list[ox.Triple]] = field(default_factory=dict)   # named graph -> triples
    sources: dict[str, str] = field(default_factory=dict)              # named graph -> document IRI
    shapes: list[ox.Triple] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)


def check(settings: Settings, progress: bool = False) -> Checked:
    """Read and validate every input; raise InputError naming every problem found."""
    names = Names(settings.base)
    documents = discover_documents(settings.data_dir, names)
    ontology_source = folder_source(settings.ontology_dir, "ontology", names.ontology)
    shapes_source = folder_source(settings.shapes_dir, "shapes", names.shapes)
    ontology = read_source(ontology_source, names)
    shapes = resolve_shape_namespaces(read_source(shapes_source, names), names.base)
    entailments = Entailments(ontology, names.lpo)

    checked = Checked(names, shapes=shapes)
    checked.graphs[names.ontology] = ontology
    checked.sources[names.ontology] = names.ontology
    files: dict[str, str] = {}
    _note_files(files, ontology_source, ontology)
    problems: list[Problem] = []
    for document in tqdm(documents, desc="read", unit="doc", disable=not progress):
        try:
            triples = read_source(document, names)
        except InputError as error:
            problems.extend(error.problems)
            continue
        _note_files(files, document, triples)
        checked.graphs[document.graph] = entailments.enrich(triples)
        checked.sources[document.graph] = names.document(document.slug)
    if problems:
        raise InputError(problems)

    everything = [t for triples in checked.graphs.values() for t in triples]
    found = Validator(shapes).check(everything, files)
    checked.warnings = [p for p in found if p.severity != "Violation"]
    violations = [p for p in found if p.severity == "Violation"]
    if violations:
        raise InputError(violations)
    return checked


def _note_files(files: dict[str, str], source: Source, triples: list[ox.Triple]) -> None:
    for t in triples:
        files.setdefault(str(t.subject), str(source.turtle[0]))


def build(settings: Settings, progress: bool = False) -> dict:
    """Check the inputs, then publish store, dumps and VoID into the dist folder in one swap."""
    checked = check(settings, progress)
    names = checked.names
    data_quads = [q for graph, triples in checked.graphs.items() for q in quads(triples, graph)]

    dist = settings.dist_dir
    staging = dist.with_name(f".{dist.name}.building")
    if staging.exists():
        shutil.rmtree(staging)
    staging.mkdir(parents=True)
    try:
        distributions = write_dumps(data_quads, staging / "dumps", names.prefixes())
        void = describe_dataset(names, data_quads, checked.sources, distributions,
                                settings.title, settings.license)
        (staging / VOID_FILE).write_bytes(ox.serialize(void, format=ox.RdfFormat.TURTLE,
                                                       prefixes=names.prefixes()))
        served = [*data_quads, *quads(checked.shapes, names.shapes), *quads(void, names.dataset)]
        write_store(staging / "store", _progress(served, progress))
        manifest = {
            "base": names.base,
            "built": datetime.now(timezone.utc).replace(microsecond=0).isoformat(),
            "graphs": sorted(checked.graphs),
            "quads": len(served),
            "dumps": [d.path.name for d in distributions],
        }
        (staging / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
        _swap(staging, dist)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return manifest


def _progress(items: list, enabled: bool):
    return tqdm(items, desc="store", unit="quad", unit_scale=True, disable=not enabled, mininterval=0.5)


def _swap(staging: Path, dist: Path) -> None:
    """Replace the published folder with the staged one: a rename each, never a half-written dist."""
    old = dist.with_name(f".{dist.name}.old-{os.getpid()}")
    if dist.exists():
        os.rename(dist, old)
    os.rename(staging, dist)
    shutil.rmtree(old, ignore_errors=True)


def read_manifest(dist: Path) -> dict:
    path = dist / MANIFEST
    if not path.exists():
        raise FileNotFoundError(f"{dist} holds no build: run `lodpub build` first")
    return json.loads(path.read_text(encoding="utf-8"))
