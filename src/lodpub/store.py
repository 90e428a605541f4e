"""Where the built graph lives, behind one small interface the web layer uses.

`EmbeddedStore` is the default: an on-disk Oxigraph store written by the build and opened read-only by
every server process, so a restart never re-parses the data.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pyoxigraph as ox


def write_store(path: Path, quads: Iterable[ox.Quad]) -> None:
    """Write a new on-disk store holding exactly these quads."""
    store = ox.Store(str(path))
    store.bulk_extend(quads)
    store.flush()
    store.optimize()
    del store


class EmbeddedStore:
    """A read-only view of the store a build wrote; the default graph is the union of the named graphs."""

    def __init__(self, path: Path) -> None:
        if not (path / "CURRENT").exists():
            raise FileNotFoundError(f"no built store at {path}: run `lodpub build` first")
        self.path = path
        self.store = ox.Store.read_only(str(path))

    def query(self, sparql: str, *, base_iri: str | None = None, prefixes: dict[str, str] | None = None,
              default_graphs: list[str] | None = None, named_graphs: list[str] | None = None):
        """Run a SPARQL query. With no dataset given, the default graph is the union of all named graphs."""
        kwargs: dict = {"base_iri": base_iri, "prefixes": prefixes}
        if default_graphs:
            kwargs["default_graph"] = [ox.NamedNode(g) for g in default_graphs]
        else:
            kwargs["use_default_graph_as_union"] = True
        if named_graphs:
            kwargs["named_graphs"] = [ox.NamedNode(g) for g in named_graphs]
        return self.store.query(sparql, **kwargs)

    def graph_names(self) -> list[str]:
        return sorted(g.value for g in self.store.named_graphs() if isinstance(g, ox.NamedNode))

    def quads(self, subject=None, predicate=None, obj=None, graph=None) -> Iterable[ox.Quad]:
        return self.store.quads_for_pattern(subject, predicate, obj, graph)
