"""The benchmark: a synthetic corpus, a query and dereference mix, and a side-by-side runner (see docs/benchmark.md)."""
