"""The benchmark runner: lodpub side by side with its peers, in one run, on one corpus.

    python -m bench.run --size 1m          # or: make bench SIZE=1m

1. Generates the corpus (bench/out/<size>/data) unless it is there, and builds it with `lodpub build`
   (cold cache, then unchanged, then with one document touched): time, peak memory, store size.
2. Loads the same data into Oxigraph server twice: the N-Quads dump, served with its union default graph (what
   matches lodpub's named graphs), and the N-Triples dump, all in its default graph (what a user who wants speed
   runs); starts rdflib-endpoint, a Flask "hello" under granian, and `lodpub serve` (granian), with the same
   worker count.
3. Asks the SPARQL servers the query mix, one request at a time, each sample of each query to every server in
   turn so that they all meet the same moments of a noisy machine (median and p95 latency); then measures
   requests per second at concurrency 4 with wrk (bounded in time, loopback only): point lookups for every
   SPARQL server (one URL repeated, as wrk does, and a new query text each request), entity documents (Turtle,
   HTML) for lodpub, "/" for Flask; and what handing a light query to lodpub's query process costs.
4. Writes bench/out/<size>/results.{json,md}; with --readme, puts the table into docs/benchmark.md.

Every figure is measured side by side in this one run: this machine is shared and noisy, so compare ratios.
Peer tools live in their own virtual environment (bench/out/peers), made by `make bench`.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

from lodpub.config import Settings
from lodpub.dist import open_dump
from lodpub.server import threads_for

from . import generate
from .mix import MIX, entity_paths

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
PEERS = OUT / "peers" / "bin"
BASE = "http://localhost:8080/"
SIZES = {"tiny": 3_000, "100k": 100_000, "1m": 1_000_000, "10m": 10_000_000}
SPARQL_JSON = "application/sparql-results+json"
OXIGRAPH_UNION = "Oxigraph server (union graph)"
HELLO = 'Flask "hello"'
OXIGRAPH_DEFAULT = "Oxigraph server (default graph)"
# lodpub serving its build through Oxigraph's own server (`serve --store`): the store is held by one process,
# not opened by every worker and query process. Its memory is counted with Oxigraph's.
OVER_OXIGRAPH = "lodpub over Oxigraph server"
LODPUBS = ("lodpub", OVER_OXIGRAPH)
WARM_UP = True
WARM_UP_ROUNDS = 12    # at most, each as long as a timed round
REPEATED = "point lookup, one URL repeated"
DISTINCT = "point lookup, a new query text each request"


# --- processes and their memory ----------------------------------------------------------------------------

def tree(pid: int) -> list[int]:
    """A process and all its descendants."""
    found, todo = [], [pid]
    while todo:
        p = todo.pop()
        found.append(p)
        try:
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as handle:
                    todo.extend(int(c) for c in handle.read().split())
        except OSError:
            pass
    return found


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) a process tree has used so far."""
    ticks = 0
    for p in tree(pid):
        try:
            with open(f"/proc/{p}/stat") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
            ticks += int(fields[11]) + int(fields[12])
        except (OSError, IndexError, ValueError):
            pass
    return ticks / os.sysconf("SC_CLK_TCK")


def settle(servers: list, most: float = 60.0) -> None:
    """Wait until no server is still working through what an earlier load test left it (a slow server keeps
    answering queued requests after wrk stops): each load test then has the cores to itself."""
    deadline = time.monotonic() + most
    while time.monotonic() < deadline:
        before = sum(cpu_seconds(s.process.pid) for s in servers if s.process)
        time.sleep(0.5)
        if sum(cpu_seconds(s.process.pid) for s in servers if s.process) - before < 0.05:
            return


def rss(pid: int) -> int:
    """Resident memory of a process tree, in bytes."""
    total = 0
    for p in tree(pid):
        try:
            with open(f"/proc/{p}/status") as handle:
                for line in handle:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1]) * 1024
        except OSError:
            pass
    return total


def pss(pid: int) -> int:
    """Proportional memory of a process tree, in bytes: pages shared between its processes (the store's files,
    the libraries) counted once, as a machine's memory is used; RSS counts them once per process."""
    total = 0
    for p in tree(pid):
        try:
            with open(f"/proc/{p}/smaps_rollup") as handle:
                for line in handle:
                    if line.startswith("Pss:"):
                        total += int(line.split()[1]) * 1024
                        break
        except OSError:
            pass
    return total


class Peak:
    """Samples process trees' RSS (and PSS), summed, in the background; `peak` is the highest RSS seen."""

    def __init__(self, *pids: int, every: float = 0.2) -> None:
        self.pids, self.every, self.peak, self.peak_pss = pids, every, 0, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, sum(rss(pid) for pid in self.pids))
            self.peak_pss = max(self.peak_pss, sum(pss(pid) for pid in self.pids))
            self._stop.wait(self.every)

    def stop(self) -> int:
        self._stop.set()
        self._thread.join()
        return self.peak


def run_measured(cmd: list[str], env: dict | None = None, log: Path | None = None) -> tuple[float, int, int]:
    """Run a command to its end: (seconds, peak RSS of its tree, exit code); `cpu` is added to `CPU`."""
    start = time.perf_counter()
    out = open(log, "w") if log else None
    process = subprocess.Popen(cmd, env=env, stdout=out or None, stderr=None if out is None else subprocess.STDOUT)
    peak = Peak(process.pid)
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.perf_counter() - start
    CPU[" ".join(cmd[:2])] = usage.ru_utime + usage.ru_stime   # the command and the processes it waited for
    if out:
        out.close()
    return seconds, peak.stop(), process.returncode


CPU: dict[str, float] = {}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Server:
    name: str
    cmd: list[str]
    sparql_path: str | None        # where it answers SPARQL, or None
    log: Path
    env: dict | None = None
    port: int = field(default_factory=free_port)
    process: subprocess.Popen | None = None
    peak: Peak | None = None
    started_in: float = 0.0
    error: str | None = None
    companion: Server | None = None     # a server this one needs (its store), started first, measured with it

    def start(self, timeout: float) -> bool:
        if self.companion is not None and not self.companion.start(timeout):
            self.error = f"{self.companion.name}: {self.companion.error}"
            return False
        cmd = [c.replace("{port}", str(self.port)) for c in self.cmd]
        if self.companion is not None:
            cmd = [c.replace("{companion}", str(self.companion.port)) for c in cmd]
        self.handle = open(self.log, "w")
        begin = time.perf_counter()
        self.process = subprocess.Popen(cmd, stdout=self.handle, stderr=subprocess.STDOUT, env=self.env,
                                        start_new_session=True)
        self.peak = Peak(self.process.pid, *([self.companion.process.pid] if self.companion else []))
        while time.perf_counter() - begin < timeout:
            if self.process.poll() is not None:
                self.error = f"exited with {self.process.returncode}: " + self.log.read_text()[-400:].strip()
                return False
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    self.started_in = time.perf_counter() - begin
                    return True
            except OSError:
                time.sleep(0.2)
        self.error = f"did not listen within {timeout:.0f} s"
        return False

    def stop(self) -> int:
        peak = self.peak.stop() if self.peak else 0
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self.handle.close()
        if self.companion is not None:
            self.companion.stop()
        return peak


# --- requests ---------------------------------------------------------------------------------------------------

def get(port: int, path: str, accept: str, timeout: float = 120.0) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("GET", path, headers={"Accept": accept, "Connection": "close"})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def sparql_path(server: Server, query: str) -> str:
    """The GET of a query; "/" for a server with no SPARQL endpoint (Flask's "hello", the floor)."""
    if not server.sparql_path:
        return "/"
    return f"{server.sparql_path}?{urllib.parse.urlencode({'query': query})}"


def latencies(servers: list[Server], texts: list[str], accept: str, budget: float, timeout: float = 120.0) -> dict:
    """Sequential requests, taking the servers in turn for each sample, so that all of them meet the same moments
    of a noisy machine; a server stops early past `budget` seconds (with at least 3 samples). The order turns
    by one each sample: a request right after another server's answer was measured slower (that server's
    threads still winding down), and a fixed order would charge that to the same server every time."""
    state = {}
    for server in servers:
        try:
            get(server.port, sparql_path(server, texts[0]), accept, timeout)   # warm-up
            state[server.name] = {"samples": [], "errors": 0, "spent": 0.0, "first_error": None, "done": False}
        except OSError:
            state[server.name] = {"error": f"no answer within {timeout:.0f} s"}
    for i, text in enumerate(texts):
        turn = i % len(servers)
        for server in servers[turn:] + servers[:turn]:
            mine = state[server.name]
            if "error" in mine or mine["done"]:
                continue
            start = time.perf_counter()
            try:
                status, body = get(server.port, sparql_path(server, text), accept, timeout)
            except OSError:
                status, body = "timeout", b""
            took = time.perf_counter() - start
            mine["spent"] += took
            if status != 200:
                mine["errors"] += 1
                mine["first_error"] = mine["first_error"] or f"HTTP {status}: {body[:200]!r}"
            else:
                mine["samples"].append(took)
            mine["done"] = mine["spent"] > budget and len(mine["samples"]) + mine["errors"] >= 3
    found = {}
    for name, mine in state.items():
        samples = sorted(mine.get("samples", ()))
        if not samples:
            found[name] = {"error": mine.get("error") or mine["first_error"] or "no answer"}
            continue
        found[name] = {"median_ms": statistics.median(samples) * 1000,
                       "p95_ms": samples[min(len(samples) - 1, int(round(0.95 * (len(samples) - 1))))] * 1000,
                       "n": len(samples), "errors": mine["errors"]}
    return found


def first_fetch(port: int, paths: list[str], accept: str, budget: float) -> dict:
    """Each entity document fetched once, in order (nothing cached yet), within a time budget."""
    samples, statuses, spent = [], {}, 0.0
    for path in paths:
        start = time.perf_counter()
        try:
            status, _ = get(port, path, accept, timeout=min(60.0, max(5.0, budget - spent)))
        except OSError:
            status = "timeout"
        took = time.perf_counter() - start
        spent += took
        statuses[str(status)] = statuses.get(str(status), 0) + 1
        samples.append(took)
        if spent > budget:
            break
    samples.sort()
    return {"median_ms": statistics.median(samples) * 1000,
            "p95_ms": samples[min(len(samples) - 1, int(round(0.95 * (len(samples) - 1))))] * 1000,
            "max_ms": samples[-1] * 1000, "n": len(samples), "of": len(paths), "statuses": statuses}


def wrk(port: int, paths: list[str], accept: str, seconds: int, work: Path, name: str,
        distinct: bool = False) -> dict:
    """Requests per second at concurrency 4 (2 threads), over a rotating list of paths; `distinct`: each request
    ends with a new number (URL-encoded `# n`, a SPARQL comment), so that no text comes twice."""
    if not shutil.which("wrk"):
        return {"error": "wrk is not installed (make bench installs it: apt-get install wrk)"}
    script = work / f"wrk-{name}.lua"
    listed = ",\n".join(json.dumps(p) for p in paths)
    script.write_text(f"""local paths = {{
{listed}
}}
local i = 0
wrk.headers["Accept"] = {json.dumps(accept)}
local n = 0
local distinct = {"true" if distinct else "false"}
request = function()
  i = i % #paths + 1
  n = n + 1
  if distinct then
    return wrk.format("GET", paths[i] .. "%0A%23%20w" .. n)
  end
  return wrk.format("GET", paths[i])
end
""", encoding="utf-8")
    command = ["wrk", "-t2", "-c4", f"-d{seconds}s", "--timeout", "10s", "-s", str(script), f"http://127.0.0.1:{port}"]
    # Rounds not counted, until one is at most a fifth faster than the one before: every worker of a server has
    # then met the paths (a keep-alive connection stays with the worker that accepted it, and each worker keeps
    # its own answers; at 10M a worker takes minutes to render a sample's hub pages once).
    last = 0.0
    for _ in range(WARM_UP_ROUNDS if WARM_UP else 0):
        rate = requests_per_second(subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60))
        if rate is None or rate <= 1.2 * last:
            break
        last = rate
    result = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60)
    found = requests_per_second(result)
    bad = re.search(r"Non-2xx or 3xx responses:\s*(\d+)", result.stdout)
    errors = re.search(r"Socket errors:.*", result.stdout)
    if found is None:
        return {"error": (result.stdout + result.stderr)[-300:]}
    out = {"rps": found}
    if bad:
        out["non_2xx"] = int(bad.group(1))
    if errors:
        out["socket_errors"] = errors.group(0)
    return out



def requests_per_second(wrk: subprocess.CompletedProcess) -> float | None:
    """The rate a wrk run reports, or None when it reports none."""
    found = re.search(r"Requests/sec:\s*([\d.]+)", wrk.stdout)
    return float(found.group(1)) if found else None

# --- the run ----------------------------------------------------------------------------------------------------

def du(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="lodpub side by side with Oxigraph server, rdflib-endpoint "
                                                 "and Flask hello")
    parser.add_argument("--size", default="100k", help=f"one of {', '.join(SIZES)}, or a number of triples")
    parser.add_argument("--workers", type=int, default=2, help="granian workers for lodpub and Flask (2)")
    parser.add_argument("--seconds", type=int, default=10, help="length of each wrk run (10)")
    parser.add_argument("--samples", type=int, default=300, help="requests per query (heavy ones: a fifth)")
    parser.add_argument("--budget", type=float, default=20.0, help="most seconds spent per query per server")
    parser.add_argument("--peers", default="oxigraph,rdflib-endpoint,flask,over-oxigraph",
                        help="which peers to run beside lodpub (comma-separated; over-oxigraph: lodpub serving "
                             "its build through Oxigraph's server of its store)")
    parser.add_argument("--keep", action="store_true", help="keep the generated corpus and builds")
    parser.add_argument("--no-rebuilds", dest="rebuilds", action="store_false",
                        help="skip the two rebuilds (unchanged, one document touched)")
    parser.add_argument("--readme", action="store_true", help="put the table into docs/benchmark.md")
    parser.add_argument("--out", type=Path, help="working folder (default bench/out/<size>)")
    parser.add_argument("--build-only", action="store_true",
                        help="measure the builds (and Oxigraph's load, and the SHACL engines) and start no server")
    parser.add_argument("--reuse-build", action="store_true",
                        help="serve the existing build of this size instead of building (figures from build.json)")
    parser.add_argument("--skip", default="", help="queries of the mix to leave out (comma-separated keys)")
    parser.add_argument("--timeout", type=float, default=120.0, help="most seconds one request may take")
    parser.add_argument("--no-warm-up", dest="warm_up", action="store_false",
                        help="time wrk's first round (by default rounds are run and not counted until one is at "
                             "most a fifth faster than the one before)")
    args = parser.parse_args(argv)
    global WARM_UP
    WARM_UP = args.warm_up

    triples = SIZES.get(args.size) or int(args.size)
    where = args.out or OUT / args.size
    work = where / "work"
    work.mkdir(parents=True, exist_ok=True)
    data, dist, cache = where / "data", where / "dist", where / "cache"
    peers = set(filter(None, args.peers.split(",")))
    results: dict = {"size": args.size, "workers": args.workers, "machine": machine(),
                     "load": " ".join(f"{x:.1f}" for x in os.getloadavg()), "build": {},
                     "servers": {}, "queries": {}, "throughput": {}, "first_fetch": {}}

    params_file = where / "params.json"
    if not (data.is_dir() and params_file.exists()):
        say(f"generating about {triples:,} triples into {data}")
        generate.generate(triples, data, progress=sys.stderr.isatty())
    params = json.loads(params_file.read_text(encoding="utf-8"))
    results["corpus"] = {"documents": params["documents"], "stated_triples": params["stated_triples"]}

    # -- build: cold, unchanged, one document touched --
    lodpub = str(Path(sys.executable).with_name("lodpub"))
    env = {**os.environ, "LODPUB_CACHE_DIR": str(cache), "LODPUB_BASE": BASE}
    build_cmd = [lodpub, "build", "--data", str(data), "--dist", str(dist)]
    if args.reuse_build:
        manifest = json.loads((dist / "build.json").read_text(encoding="utf-8"))
        seconds, peak = sum(manifest["seconds"].values()), None
        CPU[" ".join(build_cmd[:2])] = float("nan")
        args.rebuilds = False
    else:
        shutil.rmtree(cache, ignore_errors=True)
        say("building (cold cache)")
        seconds, peak, code = run_measured(build_cmd, env)
        if code:
            raise SystemExit(f"lodpub build failed ({code})")
        manifest = json.loads((dist / "build.json").read_text(encoding="utf-8"))
    results["build"] = {"cold_s": seconds, "cold_cpu_s": CPU[" ".join(build_cmd[:2])], "peak_rss": peak,
                        "steps_s": manifest.get("seconds"), "quads": manifest["quads"],
                        "store_bytes": du(dist / "store"), "dumps_bytes": du(dist / "dumps"),
                        "dump_triples": count_lines(dist / "dumps" / "lodpub.nt")}
    say(f"built in {seconds:.1f} s")
    if args.rebuilds:
        say("rebuilding unchanged, then with one document touched")
        results["build"]["unchanged_s"] = run_measured(build_cmd, env)[0]
        touched = sorted(data.glob("*.ttl"))[len(list(data.glob("*.ttl"))) // 2]
        original = touched.read_bytes()
        # A change of content (a comment would change the file and not its triples).
        touched.write_bytes(original + f'\n<id/document/{touched.stem}> <http://www.w3.org/2000/01/rdf-schema#'
                                       f'comment> "changed by the benchmark" .\n'.encode())
        try:
            results["build"]["one_changed_s"] = run_measured(build_cmd, env)[0]
            results["build"]["one_changed_steps_s"] = json.loads(
                (dist / "build.json").read_text(encoding="utf-8")).get("seconds")
        finally:
            touched.write_bytes(original)
        run_measured(build_cmd, env)   # back to the published state of the untouched corpus
    if not args.reuse_build:
        say("measuring the SHACL engines on a sample of the documents")
        found = subprocess.run([sys.executable, "-m", "bench.shacl", "--cache", str(cache)], env=env, cwd=ROOT,
                               capture_output=True, text=True)
        results["build"]["shacl"] = (json.loads(found.stdout) if found.returncode == 0
                                     else {"error": found.stderr[-300:]})

    # -- servers --
    servers: list[Server] = []
    if "oxigraph" in peers or "rdflib-endpoint" in peers:
        say("writing the N-Quads and N-Triples dumps whole for the peers (a big dump is kept as parts)")
        dump, flat_dump = (whole_file(dist / "dumps" / name, work) for name in ("lodpub.nq", "lodpub.nt"))
    if "oxigraph" in peers:
        location = where / "oxigraph"
        shutil.rmtree(location, ignore_errors=True)
        if (PEERS / "oxigraph").exists():
            say("loading the N-Quads dump into Oxigraph")
            secs, mem, code = run_measured([str(PEERS / "oxigraph"), "load", "--location", str(location),
                                            "--file", str(dump)], log=work / "oxigraph-load.log")
            results["build"]["oxigraph_load_s"] = secs
            results["build"]["oxigraph_load_cpu_s"] = CPU[f"{PEERS / 'oxigraph'} load"]
            results["build"]["oxigraph_load_rss"] = mem
            results["build"]["oxigraph_store_bytes"] = du(location) if code == 0 else None
            servers.append(Server(OXIGRAPH_UNION, [str(PEERS / "oxigraph"), "serve-read-only", "--location",
                                                   str(location), "--bind", "127.0.0.1:{port}",
                                                   "--union-default-graph"], "/query", work / "oxigraph.log"))
            flat = where / "oxigraph-default"
            shutil.rmtree(flat, ignore_errors=True)
            say("loading the N-Triples dump into Oxigraph's default graph")
            run_measured([str(PEERS / "oxigraph"), "load", "--location", str(flat), "--file",
                          str(flat_dump)], log=work / "oxigraph-default-load.log")
            servers.append(Server(OXIGRAPH_DEFAULT, [str(PEERS / "oxigraph"), "serve-read-only", "--location",
                                                     str(flat), "--bind", "127.0.0.1:{port}"], "/query",
                                  work / "oxigraph-default.log"))
        else:
            results["servers"][OXIGRAPH_UNION] = {"error": f"blocked: {PEERS / 'oxigraph'} is missing"}
    if "rdflib-endpoint" in peers:
        if (PEERS / "rdflib-endpoint").exists():
            servers.append(Server("rdflib-endpoint", [str(PEERS / "rdflib-endpoint"), "serve", "--host",
                                                      "127.0.0.1", "--port", "{port}",
                                                      str(flat_dump)],
                                  "/", work / "rdflib-endpoint.log"))
        else:
            results["servers"]["rdflib-endpoint"] = {"error": f"blocked: {PEERS / 'rdflib-endpoint'} is missing"}
    granian = str(Path(sys.executable).with_name("granian"))
    if "flask" in peers:
        # Under the same server as lodpub, with as many workers and threads.
        servers.append(Server(HELLO, [granian, "--interface", "wsgi", "--workers", str(args.workers),
                                                "--blocking-threads", str(threads_for(Settings())),
                                                "--host", "127.0.0.1", "--port", "{port}",
                                                "--working-dir", str(ROOT / "bench"), "hello:app"],
                              None, work / "flask.log"))
    if args.build_only:
        servers = []
    else:
        serve = [lodpub, "serve", "--host", "127.0.0.1", "--port", "{port}", "--dist", str(dist), "--workers",
                 str(args.workers), "--query-timeout", "120", "--no-access-log"]
        servers.append(Server("lodpub", serve, "/sparql", work / "lodpub.log", env=env))
        if "over-oxigraph" in peers:
            # The Oxigraph the test extra puts beside our Python, pinned to pyoxigraph's engine (it must read the
            # store pyoxigraph wrote), else the peers' one.
            cli = next((c for c in (Path(sys.executable).with_name("oxigraph"), PEERS / "oxigraph") if c.exists()),
                       None)
            if cli is not None:
                store = Server("Oxigraph server of lodpub's store", [
                    str(cli), "serve-read-only", "--location", str((dist / "store").resolve()),
                    "--bind", "127.0.0.1:{port}"], "/query", work / "oxigraph-of-lodpub.log")
                servers.append(Server(OVER_OXIGRAPH, [*serve, "--store", "http://127.0.0.1:{companion}/query"],
                                      "/sparql", work / "lodpub-over-oxigraph.log", env=env, companion=store))
            else:
                results["servers"][OVER_OXIGRAPH] = {
                    "error": f"blocked: no oxigraph beside {sys.executable} (the test extra) nor in {PEERS}"}

    try:
        for server in servers:   # started one at a time, so that each one's start-up is timed alone
            say(f"starting {server.name}")
            ok = server.start(timeout=3600)
            results["servers"][server.name] = {"ready_s": server.started_in}
            if not ok:
                results["servers"][server.name]["error"] = server.error
                say(f"  {server.name}: {server.error}")
        running = [s for s in servers if "error" not in results["servers"][s.name]]
        # Flask's "hello" is asked "/" at the same moments: the floor of any Flask application under granian.
        asked = [s for s in running if s.sparql_path or s.name == HELLO]
        for query in [q for q in MIX if q.key not in args.skip.split(",") and asked]:
            # Every SPARQL server is asked each sample in turn: the ratios compare the same moments.
            count = max(5, args.samples // 5) if query.heavy else args.samples
            texts = query.texts(params, BASE, count)
            accept = "application/n-triples" if query.key == "construct" else SPARQL_JSON
            found = latencies(asked, texts, accept, args.budget, args.timeout)
            results["queries"][query.key] = found
            for name, figures in found.items():
                say(f"  {query.key:10} {name:16} {fmt_latency(figures)}")
        def load(server: Server, paths: list[str], accept: str, name: str, distinct: bool = False) -> dict:
            settle(running)    # one load test at a time, on cores no server is still busy on
            return wrk(server.port, paths, accept, args.seconds, work, name, distinct)

        for server in running:   # load tests one server at a time: wrk takes every core it is given
            if server.sparql_path:
                point = [sparql_path(server, t) for t in MIX[0].texts(params, BASE, 1)]
                results["throughput"].setdefault(REPEATED, {})[server.name] = load(
                    server, point, SPARQL_JSON, slug(server.name) + "-point")
                results["throughput"].setdefault(DISTINCT, {})[server.name] = load(
                    server, [sparql_path(server, t) for t in MIX[0].texts(params, BASE, 200)], SPARQL_JSON,
                    slug(server.name) + "-distinct", distinct=True)
            if server.name == HELLO:
                results["throughput"].setdefault("hello", {})[server.name] = load(server, ["/"], "*/*", "hello")
            if server.name in LODPUBS:
                for label, accept in (("entity document, Turtle", "text/turtle"),
                                      ("entity document, HTML", "text/html")):
                    paths = entity_paths(params)
                    fetched = first_fetch(server.port, paths, accept, args.budget * 3)
                    results["first_fetch"].setdefault(label, {})[server.name] = fetched
                    say(f"  {server.name}: {label}, first fetch: {fmt_latency(fetched)}")
                    results["throughput"].setdefault(label, {})[server.name] = load(server, paths, accept, slug(label))
            for key, value in results["throughput"].items():
                if server.name in value:
                    say(f"  {key}: {value[server.name]}")
    finally:
        for server in servers:
            if server.process is not None:
                results["servers"][server.name]["peak_rss"] = server.stop()
                results["servers"][server.name]["peak_pss"] = server.peak.peak_pss if server.peak else None
                if server.companion is not None and server.companion.peak is not None:
                    results["servers"][server.name]["companion_peak_rss"] = server.companion.peak.peak
                say(f"  {server.name}: peak RSS {results['servers'][server.name]['peak_rss'] / 1e6:.0f} MB")

    results["hop"] = measure_hop(dist / "store", MIX[0].texts(params, BASE, 1000))
    (where / "results.json").write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    table = markdown(results)
    (where / "results.md").write_text(table, encoding="utf-8")
    print(table)
    if args.readme:
        update_readme(table, args.size)
    if not args.keep and args.size not in ("tiny", "100k"):
        for path in (data, dist, cache, where / "oxigraph", where / "oxigraph-default"):
            shutil.rmtree(path, ignore_errors=True)


def measure_hop(store_dir: Path, texts: list[str]) -> dict:
    """What handing a light query to a query process costs: the same texts in this process, and through one."""
    from lodpub.sparql.processes import QueryProcesses, execute
    from lodpub.store import UNION, EmbeddedStore

    store, processes = EmbeddedStore(store_dir), QueryProcesses(store_dir, 1)
    native = {"results": "json"}

    def median(run) -> float:
        samples = []
        for text in texts:
            start = time.perf_counter()
            run(text)
            samples.append(time.perf_counter() - start)
        return statistics.median(samples) * 1000

    try:
        processes.run(texts[0], UNION, native, BASE, {}, 10_000, 60)    # started and warm
        inside = median(lambda t: execute(store, t, UNION, native, BASE, {}, 10_000))
        through = median(lambda t: processes.run(t, UNION, native, BASE, {}, 10_000, 60))
    finally:
        processes.close()
    return {"in_process_ms": inside, "through_process_ms": through, "n": len(texts)}


def whole_file(path: Path, work: Path) -> Path:
    """A dump as one file: its own, or its parts written whole into the work folder."""
    if path.is_file():
        return path
    out = work / path.name
    with open_dump(path) as source, open(out, "wb") as sink:
        shutil.copyfileobj(source, sink, 1 << 20)
    return out


def count_lines(path: Path) -> int:
    with open_dump(path) as handle:
        return sum(chunk.count(b"\n") for chunk in iter(lambda: handle.read(1 << 20), b""))


def slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def say(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def machine() -> str:
    cpus = os.cpu_count()
    try:
        mem = int(next(line for line in open("/proc/meminfo") if line.startswith("MemTotal")).split()[1]) // 2**20
    except (OSError, StopIteration):
        mem = "?"
    return f"{cpus} cores, {mem} GB, Python {sys.version.split()[0]}"


# --- the report -------------------------------------------------------------------------------------------------

def fmt_latency(found: dict) -> str:
    if "error" in found:
        return "error: " + str(found["error"])[:80]
    return f"{found['median_ms']:.2f} ms median, {found['p95_ms']:.2f} ms p95 (n={found['n']})"


def mb(n) -> str:
    return "n/a" if n is None else f"{n / 1e6:,.0f} MB"


def markdown(results: dict) -> str:
    b = results["build"]
    names = list(results["servers"])
    lines = [f"Benchmark at **{results['size']}** ({b['dump_triples']:,} triples in the dumps, "
             f"{results['corpus']['documents']:,} documents), {results['machine']}, granian with "
             f"{results['workers']} workers (lodpub and Flask), wrk at concurrency 4; load average "
             f"{results.get('load', '?')} "
             "at the start (a shared machine: compare within a run). Ratios are lodpub / peer.", ""]
    ox = {"cold": b.get("oxigraph_load_s"), "cpu": b.get("oxigraph_load_cpu_s"),
          "rss": b.get("oxigraph_load_rss"), "store": b.get("oxigraph_store_bytes")}
    lines += ["| build | lodpub | Oxigraph (`oxigraph load`) | lodpub / Oxigraph |", "|---|---|---|---|",
              f"| load / build, cold | {b['cold_s']:.1f} s (parse, validate, store, dumps) | "
              f"{_s(ox['cold'])} (load only) | {_ratio(b['cold_s'], ox['cold'])} |",
              f"| CPU time (user + system, all processes) | {_s(b.get('cold_cpu_s'))} | "
              f"{_s(ox['cpu'])} | {_ratio(b.get('cold_cpu_s'), ox['cpu'])} |",
              f"| build steps | {_steps(b.get('steps_s'))} | | |",
              f"| rebuild, nothing changed | {_s(b.get('unchanged_s'))} | | |",
              f"| rebuild, one document changed | {_s(b.get('one_changed_s'))} "
              f"({_steps(b.get('one_changed_steps_s'))}) | | |",
              f"| peak memory of the build | {mb(b.get('peak_rss'))} | {mb(ox['rss'])} | "
              f"{_ratio(b.get('peak_rss'), ox['rss'])} |",
              f"| store on disk | {mb(b['store_bytes'])} | {mb(ox['store'])} | "
              f"{_ratio(b['store_bytes'], ox['store'])} |"]
    shacl = b.get("shacl") or {}
    for engine, label in (("turbo", "pyshacl-turbo"), ("pyshacl", "pySHACL")):
        found = shacl.get(engine)
        if found and "cpu_s" in found:
            lines.append(f"| SHACL, {label}: CPU for the whole corpus (from {found['documents']} of "
                         f"{shacl['documents']:,} documents) | {found['corpus_cpu_s']:.0f} s "
                         f"({found['ms_per_document']:.0f} ms per document) | | |")
        elif found:
            lines.append(f"| SHACL, {label} | {found.get('error', '?')} | | |")
    lines.append("")
    if not names:
        return "\n".join(lines) + "\n"
    sparql = [n for n in names if any(n in q for q in results["queries"].values())]
    hello_asked = HELLO in sparql
    head = ("| query: median / p95 ms | " + " | ".join(sparql) + " | lodpub / Oxigraph union (median) |"
            + (" floor: Flask \"hello\" / Oxigraph union |" if hello_asked else ""))
    lines += [head, "|---" * (len(sparql) + 2 + hello_asked) + "|"]
    for query in MIX:
        row = results["queries"].get(query.key, {})
        cells = []
        for n in sparql:
            found = row.get(n, {})
            cells.append(f"{found['median_ms']:.2f} / {found['p95_ms']:.2f}" if "median_ms" in found
                         else _err(found))
        ratio = _ratio(row.get("lodpub", {}).get("median_ms"), row.get(OXIGRAPH_UNION, {}).get("median_ms"))
        union = row.get(OXIGRAPH_UNION, {}).get("median_ms")
        lines.append(f"| {query.label} | " + " | ".join(cells) + f" | {ratio} |"
                     + (f" {_ratio(row.get(HELLO, {}).get('median_ms'), union)} |" if hello_asked else ""))
    if hello_asked:
        lines += ["", f'{HELLO}: a GET of "/" at the same moments as each query, one request at a time with a new '
                      "connection each: what a Flask application under granian costs before it does anything."]
    lines += ["", "| requests/s at concurrency 4 | " + " | ".join(names) + " |", "|---" * (len(names) + 1) + "|"]
    for key, row in results["throughput"].items():
        cells = [f"{row[n]['rps']:,.0f}" if "rps" in row.get(n, {}) else _err(row.get(n, {})) for n in names]
        lines.append(f"| {key} | " + " | ".join(cells) + " |")
    for label, by_server in results.get("first_fetch", {}).items():
        lines.append(f"| {label}: first fetch of each, median / p95 / max ms | "
                     + " | ".join(f"{f['median_ms']:.0f} / {f['p95_ms']:.0f} / {f['max_ms']:.0f} "
                                  f"({f['n']} of {f['of']}, {f['statuses']})" if (f := by_server.get(n)) else ""
                                  for n in names) + " |")
    floor = results["throughput"].get(REPEATED, {}).get(OXIGRAPH_DEFAULT, {}).get("rps")
    for key, row in results["throughput"].items():
        if "lodpub" in row and "rps" in row["lodpub"] and key != DISTINCT:
            lines.append(f"| bar: lodpub {key} / Oxigraph default graph, point lookup (at least 1.0x) | "
                         + " | ".join(_ratio(row["lodpub"]["rps"], floor) if n == "lodpub" else "" for n in names)
                         + " |")
    lines.append("| peak server RSS (process tree) | "
                 + " | ".join(mb(results["servers"][n].get("peak_rss"))
                              + (f" (its store's server alone: {mb(alone)})"
                                 if (alone := results["servers"][n].get("companion_peak_rss")) else "")
                              for n in names) + " |")
    lines.append("| peak server PSS (process tree, shared pages once) | "
                 + " | ".join(mb(results["servers"][n].get("peak_pss")) for n in names) + " |")
    lines.append("| ready after (s) | " + " | ".join(f"{results['servers'][n].get('ready_s', 0):.1f}"
                                                     for n in names) + " |")
    hop = results.get("hop")
    if hop:
        lines += ["", f"A light query (the point lookup) in lodpub's serving process: {hop['in_process_ms']:.3f} ms "
                      f"median; through a query process (sparql/processes.py): {hop['through_process_ms']:.3f} ms; "
                      f"the hop costs {hop['through_process_ms'] - hop['in_process_ms']:.3f} ms (n={hop['n']})."]
    errors = [f"- {n}: {results['servers'][n]['error']}" for n in names if results["servers"][n].get("error")]
    if errors:
        lines += ["", *errors]
    return "\n".join(lines) + "\n"


def _steps(steps: dict | None) -> str:
    return ", ".join(f"{k} {v:.1f} s" for k, v in (steps or {}).items())


def _s(seconds) -> str:
    return "n/a" if seconds is None or seconds != seconds else f"{seconds:.1f} s"


def _err(found: dict) -> str:
    return "n/a" if not found else ("error" if "error" in found else "?")


def _ratio(a, b) -> str:
    known = a and b and a == a and b == b     # NaN: not measured in this run (--reuse-build)
    return f"{a / b:.2f}x" if known else "n/a"


def update_readme(table: str, size: str) -> None:
    """Put the table between docs/benchmark.md's markers for this size (<!-- bench:1m:start --> ... :end -->)."""
    readme = ROOT / "docs" / "benchmark.md"
    text = readme.read_text(encoding="utf-8")
    start, end = f"<!-- bench:{size}:start -->", f"<!-- bench:{size}:end -->"
    if start not in text:
        say(f"docs/benchmark.md has no {start} marker: table not copied")
        return
    head, rest = text.split(start, 1)
    tail = rest.split(end, 1)[1]
    readme.write_text(f"{head}{start}\n{table}{end}{tail}", encoding="utf-8")


if __name__ == "__main__":
    main()
