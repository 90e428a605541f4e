"""Where the built graph lives, behind one small interface the web layer uses.

Every backend answers `query()` with the same three shapes of result, whatever engine runs it:
`bool` (ASK), `Solutions` (SELECT) or `Triples` (CONSTRUCT, DESCRIBE), holding pyoxigraph terms.
The web layer speaks only this interface, so it serves the same over the embedded store and over a remote
SPARQL endpoint.

`EmbeddedStore` is the default: an on-disk Oxigraph store written by the build and opened read-only by every
server process, so a restart never re-parses the data.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

Term = ox.NamedNode | ox.BlankNode | ox.Literal


@dataclass
class Solutions:
    """A SELECT result: variable names, and rows of terms in that order (None where unbound)."""

    variables: list[str]
    rows: Iterator[tuple[Term | None, ...]]


@dataclass
class Triples:
    """A CONSTRUCT or DESCRIBE result."""

    triples: Iterator[ox.Triple]


Result = bool | Solutions | Triples


@dataclass(frozen=True)
class Dataset:
    """The RDF dataset of a query (SPARQL protocol's default-graph-uri / named-graph-uri).

    Empty `default` means the default graph is the union of all named graphs.
    """

    default: tuple[str, ...] = ()
    named: tuple[str, ...] = ()


UNION = Dataset()


def write_store(path: Path, quads: Iterable[ox.Quad]) -> None:
    """Write a new on-disk store holding exactly these quads."""
    store = ox.Store(str(path))
    store.bulk_extend(quads)
    store.flush()
    store.optimize()
    del store


class EmbeddedStore:
    """A read-only view of the store a build wrote."""

    def __init__(self, path: Path) -> None:
        if not (path / "CURRENT").exists():
            raise FileNotFoundError(f"no built store at {path}: run `lodpub build` first")
        self.path = path
        self.store = ox.Store.read_only(str(path))

    def query(self, sparql: str, dataset: Dataset = UNION, *, base_iri: str | None = None,
              prefixes: dict[str, str] | None = None) -> Result:
        """Run a SPARQL query; raises SyntaxError (with line and column) for a malformed one."""
        kwargs: dict = {"base_iri": base_iri, "prefixes": prefixes}
        if dataset.default:
            kwargs["default_graph"] = [ox.NamedNode(g) for g in dataset.default]
        else:
            kwargs["use_default_graph_as_union"] = True
        if dataset.named:
            kwargs["named_graphs"] = [ox.NamedNode(g) for g in dataset.named]
        result = self.store.query(sparql, **kwargs)
        if isinstance(result, ox.QueryBoolean):
            return bool(result)
        if isinstance(result, ox.QuerySolutions):
            variables = [v.value for v in result.variables]
            return Solutions(variables, (tuple(row) for row in result))
        return Triples(iter(result))

    def graph_names(self) -> list[str]:
        return sorted(g.value for g in self.store.named_graphs() if isinstance(g, ox.NamedNode))
