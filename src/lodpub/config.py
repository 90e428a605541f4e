"""Every setting in one place: defaults, then environment (LODPUB_*), then explicit overrides."""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass
from pathlib import Path

DEFAULT_BASE = "http://localhost:8080/"


@dataclass(frozen=True)
class Settings:
    # The base under which every IRI of the dataset is minted; it must end with '/'.
    base: str = DEFAULT_BASE
    # Inputs of the build.
    data_dir: Path = Path("data")
    ontology_dir: Path = Path("ontology")
    shapes_dir: Path = Path("shapes")
    # What a build publishes: dumps, VoID and the store the server reads.
    dist_dir: Path = Path("dist")
    # Builds kept in dist/builds (the published one included): their dumps and documents stay served by version.
    keep_builds: int = 3
    # Quads up to which a build states the RDFC-1.0 hash of the whole data (each graph's is always stated).
    rdfc_whole_limit: int = 500_000
    # Bytes from which a dump is kept as its parts, linked from the cache, instead of written whole: the server
    # sends them as one file, and a rebuild writes only what changed (lodpub.dumps).
    dump_parts_from: int = 64 << 20
    # Each source document's parsed quads and validation outcome, so a rebuild redoes only what changed.
    cache_dir: Path = Path(".lodpub-cache")
    # A remote SPARQL 1.1 endpoint to serve from instead of the embedded store.
    store_url: str | None = None
    # How the remote store's default graph is made the union of the named graphs: auto, native or explicit
    # (see store.RemoteStore).
    store_union: str = "auto"
    # Query limits for the SPARQL endpoint.
    query_timeout: float = 30.0
    result_cap: int = 10_000
    max_request_bytes: int = 1_000_000
    # Bytes of answers one serving process keeps in memory (web/cache.py); 0 turns the whole-answer cache off.
    # `lodpub serve` splits its own budget evenly among its worker processes.
    answer_cache_bytes: int = 256 << 20
    # SPARQL queries one serving process runs at once, each in a query process of its own (sparql/processes.py).
    query_slots: int = 2
    # How deep and how big a query may be, checked on its text before any parser (sparql/guards.py); set well
    # below where Oxigraph's parser and evaluator overflow their stack (docs/security.md).
    query_max_depth: int = 200
    query_max_chain: int = 150
    query_max_patterns: int = 256
    query_max_terms: int = 50_000
    # Incoming links shown per page of a description.
    page_size: int = 50
    # Rows each list of a page about a thing shows (timeline, roles, claims, quotes, evidence) before it says
    # how to get the rest: a hub has thousands, and every row brings labels to look up and HTML to write.
    section_rows: int = 20
    # The dataset's own metadata.
    title: str = "lodpub: who communicated what to whom"
    license: str = "https://creativecommons.org/licenses/by/4.0/"

    def __post_init__(self) -> None:
        if not self.base.endswith("/"):
            raise ValueError(f"base {self.base!r} must end with '/'")

    @property
    def store_dir(self) -> Path:
        return self.dist_dir / "store"

    @property
    def search_index(self) -> Path:
        """The full-text index the build writes beside its store (lodpub.fulltext)."""
        return self.dist_dir / "search.sqlite"

    @property
    def dumps_dir(self) -> Path:
        return self.dist_dir / "dumps"

    def replace(self, **changes) -> Settings:
        return dataclasses.replace(self, **{k: v for k, v in changes.items() if v is not None})

    def to_env(self) -> dict[str, str]:
        """These settings as LODPUB_* variables, which `from_env` reads back (for a server's worker processes)."""
        return {f"LODPUB_{f.name.upper()}": str(getattr(self, f.name)) for f in dataclasses.fields(self)
                if getattr(self, f.name) is not None}

    @classmethod
    def from_env(cls, **overrides) -> Settings:
        """Defaults, overridden by LODPUB_<FIELD> variables, overridden by non-None keyword arguments."""
        values: dict = {}
        for f in dataclasses.fields(cls):
            raw = os.environ.get(f"LODPUB_{f.name.upper()}")
            if raw is None:
                continue
            values[f.name] = _coerce(f.type, raw, f.name)
        values.update({k: v for k, v in overrides.items() if v is not None})
        for key in ("data_dir", "ontology_dir", "shapes_dir", "dist_dir", "cache_dir"):
            if key in values:
                values[key] = Path(values[key])
        return cls(**values)


def _coerce(type_name: str, raw: str, name: str):
    try:
        if type_name == "float":
            return float(raw)
        if type_name == "int":
            return int(raw)
    except ValueError as error:
        raise ValueError(f"LODPUB_{name.upper()}={raw!r} is not a {type_name}") from error
    if type_name.startswith("Path"):
        return Path(raw)
    return raw
