"""What each SHACL engine costs on the corpus: pyshacl-turbo (the default) and pySHACL (the reference).

Each engine validates the same sample of documents, each with its context, exactly as the build hands them
to the engine (after a build, from its cache), one at a time in this process; the cost per triple of the
sample, times the corpus's triples, estimates what validating the whole corpus on one core costs.
pySHACL is too slow to run over a large corpus within a benchmark, hence the sample.

    python -m bench.shacl --cache bench/out/1m/cache --sample 12 --budget 120
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from lodpub.build import _context_of, _mentioned
from lodpub.config import Settings
from lodpub.segments import triple_line
from lodpub.sources import folder_source, read_source
from lodpub.validate import ENGINES, Validator, resolve_shape_namespaces
from lodpub.vocab import Names


def measure(cache: Path, sample: int, budget: float) -> dict:
    settings = Settings.from_env()
    names = Names(settings.base)
    shapes = resolve_shape_namespaces(read_source(folder_source(settings.shapes_dir, "shapes", names.shapes),
                                                  names), names.base)
    files = sorted(p for p in (cache / "quads").glob("*.nq") if not p.name.startswith("_"))
    contexts = sorted((cache / "valid").glob("_context.*.nt"), key=lambda p: p.stat().st_mtime)
    context = contexts[-1].read_bytes().splitlines(keepends=True)    # sorted, as the build writes it
    corpus_lines = sum(p.read_bytes().count(b"\n") for p in files)
    step = max(1, len(files) // sample)
    jobs = []
    for path in files[::step][:sample]:
        own = b"".join(triple_line(line) for line in path.read_bytes().splitlines(keepends=True))
        jobs.append((str(path), own, _context_of(_mentioned(own)[1], own, context)))
    found = {"documents": len(files), "triples": corpus_lines, "sample": len(jobs)}
    for engine in ENGINES:
        validator = Validator(shapes, engine)
        if validator.engine != engine:
            found[engine] = {"error": f"{engine} is not installed"}
            continue
        spent, lines, done = 0.0, 0, 0
        for file, own, around in jobs:
            subjects = {s.decode("utf-8") for s in _mentioned(own)[0]}
            start = time.process_time()
            validator.check_text(own + around, subjects, file)
            spent += time.process_time() - start
            lines += own.count(b"\n")
            done += 1
            if spent > budget:
                break
        found[engine] = {"documents": done, "triples": lines, "cpu_s": spent,
                         "ms_per_document": 1000 * spent / done,
                         "corpus_cpu_s": spent / lines * corpus_lines}
    return found


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cache", type=Path, required=True, help="the cache folder of a build of the corpus")
    parser.add_argument("--sample", type=int, default=12, help="documents validated by each engine (12)")
    parser.add_argument("--budget", type=float, default=120.0, help="most CPU seconds per engine (120)")
    args = parser.parse_args(argv)
    json.dump(measure(args.cache, args.sample, args.budget), sys.stdout)


if __name__ == "__main__":
    main()
