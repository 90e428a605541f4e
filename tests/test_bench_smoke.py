"""The benchmark still runs end to end: a tiny corpus, built and asked the whole mix (no timings asserted).

The real benchmark (`make bench SIZE=1m`) installs Oxigraph, rdflib-endpoint and wrk; this smoke test needs
none of them and runs lodpub beside Flask's "hello" (the floor), which needs only granian.
"""

from __future__ import annotations

import json
import subprocess
import sys

from bench.mix import MIX
from bench.run import HELLO, OVER_OXIGRAPH

from .conftest import ROOT


def test_the_benchmark_runs_on_a_tiny_corpus(tmp_path):
    out = tmp_path / "tiny"
    result = subprocess.run(
        [sys.executable, "-m", "bench.run", "--size", "tiny", "--out", str(out), "--peers", "flask,over-oxigraph",
         "--samples", "3", "--budget", "1", "--seconds", "1"],
        cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    results = json.loads((out / "results.json").read_text(encoding="utf-8"))
    assert results["build"]["dump_triples"] > 1000
    assert results["build"]["one_changed_s"] > 0
    for engine in ("turbo", "pyshacl"):    # both SHACL engines measured on a sample of the corpus
        assert results["build"]["shacl"][engine]["ms_per_document"] > 0, results["build"]["shacl"]
    for query in MIX:
        answer = results["queries"][query.key]["lodpub"]
        assert "error" not in answer, (query.key, answer)
        assert answer["n"] >= 3
        assert results["queries"][query.key][HELLO]["n"] >= 3, "the floor is asked at the same moments"
        assert "error" not in results["queries"][query.key][OVER_OXIGRAPH], query.key
    assert results["servers"]["lodpub"]["peak_rss"] > 0
    # lodpub over Oxigraph's server of its store: asked the same, its memory counted with Oxigraph's.
    over = results["servers"][OVER_OXIGRAPH]
    assert over["peak_rss"] > over["companion_peak_rss"] > 0, over
    assert set(results["first_fetch"]) == {"entity document, Turtle", "entity document, HTML"}
    for label, by_server in results["first_fetch"].items():    # every entity document, from both
        for name in ("lodpub", OVER_OXIGRAPH):
            assert by_server[name]["statuses"] == {"200": by_server[name]["of"]}, (label, name, by_server[name])
    table = (out / "results.md").read_text(encoding="utf-8")
    assert f'| query: median / p95 ms | {HELLO} | lodpub |' in table
    assert 'floor: Flask "hello" / Oxigraph union |' in table
    assert "requests/s at concurrency 4" in table


def test_no_query_text_comes_twice_however_many_samples():
    """A repeated text would be answered from lodpub's answer cache and from nothing in Oxigraph's: unfair."""
    params = {"people": ["id/person/a", "id/person/b"], "communications": ["id/communication/c"],
              "words": ["one", "two"]}
    for query in MIX:
        texts = query.texts(params, "http://localhost:8080/", 50)
        assert len(set(texts)) == 50, query.key
