"""The remote store behind `lodpub serve --store` killed or frozen, during traffic and during `lodpub publish`.

A real Oxigraph server, with the build published into it, serves a real `lodpub serve --store`. While clients
query, the store is killed (SIGKILL, SIGTERM) or frozen (SIGSTOP): every request still gets an answer from our
server, 200 or 503 with Retry-After (never a 500, a hang past the time limit, or a dropped connection), and once
the store is back the same server answers 200 without a restart. `lodpub publish` into a store killed or frozen
under it stops with a message and no trace; run again, it leaves the store holding the whole build.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter

import pytest
import requests

from lodpub.build import read_manifest
from lodpub.publish import publish

from .conftest import ROOT, LiveServer, free_port, oxigraph_binary, wait_for_port

pytestmark = pytest.mark.probe("faults")
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"


class Store:
    """An Oxigraph server on a fixed port and folder, so that it can be killed and started again as it was."""

    def __init__(self, folder) -> None:
        self.port, self.folder = free_port(), folder
        self.url = f"http://127.0.0.1:{self.port}/"
        self.process: subprocess.Popen | None = None
        self.start()

    def start(self) -> None:
        log = self.folder.parent / f"oxigraph-{self.port}.log"
        self.process = subprocess.Popen([oxigraph_binary(), "serve", "--bind", f"127.0.0.1:{self.port}",
                                         "--location", str(self.folder), "--union-default-graph"],
                                        stdout=open(log, "a"), stderr=subprocess.STDOUT)
        wait_for_port(self.port, self.process, log, "oxigraph")

    def signal(self, signum: int) -> None:
        self.process.send_signal(signum)
        if signum in (signal.SIGKILL, signal.SIGTERM):
            self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGCONT)
            self.process.kill()
            self.process.wait()

    def quads(self) -> int:
        answer = requests.post(self.url + "query", data={"query": COUNT}, timeout=30,
                               headers={"Accept": "application/sparql-results+json"}).json()
        return int(answer["results"]["bindings"][0]["n"]["value"])


@pytest.fixture
def store(tmp_path, built):
    live = Store(tmp_path / "oxigraph")
    publish(built, live.url + "store", retries=2, backoff=0.2)
    yield live
    live.stop()


@pytest.fixture
def served(store, built):
    live = LiveServer(built, "--store", store.url + "query", "--query-timeout", "3")
    yield live
    live.stop()


def fresh_query(server) -> requests.Response:
    """A query no cache holds: it reaches the store."""
    query = f"SELECT * WHERE {{ ?s ?p ?o FILTER(?s != <urn:uuid:{uuid.uuid4()}>) }} LIMIT 1"
    return requests.get(server.url + "sparql", params={"query": query}, timeout=60,
                        headers={"Accept": "application/sparql-results+json"})


class Traffic:
    """Clients querying the server from a few threads until stopped; what each got is counted."""

    def __init__(self, server, threads: int = 4) -> None:
        self.server, self.seen, self.stopped = server, Counter(), threading.Event()
        self.lock = threading.Lock()
        self.threads = [threading.Thread(target=self.run, daemon=True) for _ in range(threads)]
        for thread in self.threads:
            thread.start()

    def run(self) -> None:
        while not self.stopped.is_set():
            try:
                response = fresh_query(self.server)
                outcome = response.status_code
                if outcome == 503:
                    assert response.headers.get("Retry-After"), "a 503 without Retry-After"
                    assert "127.0.0.1" not in response.text, "the store's address was shown"
            except requests.RequestException as error:
                outcome = type(error).__name__
            except AssertionError as error:
                outcome = str(error)
            with self.lock:
                self.seen[outcome] += 1

    def total(self) -> int:
        with self.lock:
            return sum(self.seen.values())

    def wait_for(self, more: int) -> None:
        target, deadline = self.total() + more, time.monotonic() + 120
        while self.total() < target and time.monotonic() < deadline:
            time.sleep(0.05)

    def stop(self) -> Counter:
        self.stopped.set()
        for thread in self.threads:
            thread.join(timeout=120)
        return self.seen


def until_answered(server) -> int:
    """Ask until the server answers 200 again (the store is back), or give up after a while; the last status."""
    deadline = time.monotonic() + 60
    status = 0
    while time.monotonic() < deadline:
        status = fresh_query(server).status_code
        if status == 200:
            return status
        time.sleep(0.2)
    return status


@pytest.mark.parametrize("fault", ["SIGKILL", "SIGTERM", "SIGSTOP"])
def test_a_store_killed_or_frozen_during_traffic_costs_503s_and_the_server_recovers(served, store, fault):
    traffic = Traffic(served)
    traffic.wait_for(8)
    store.signal(getattr(signal, fault))
    during = fresh_query(served)
    traffic.wait_for(8)
    if fault == "SIGSTOP":
        store.signal(signal.SIGCONT)
    else:
        store.start()
    after = until_answered(served)
    seen = traffic.stop()

    assert during.status_code == 503 and during.headers.get("Retry-After"), during.text[:300]
    assert set(seen) <= {200, 503}, seen          # no 500, no dropped connection, no hang
    assert seen[200] >= 8 and seen[503] >= 1, seen
    assert after == 200
    assert requests.get(served.url + "static/style.css", timeout=30).status_code == 200


def lodpub_publish(built, to: str, *options: str) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("LODPUB_STORE_")}
    return subprocess.run([sys.executable, "-m", "lodpub.cli", "publish", "--to", to, "--dist", str(built.dist_dir),
                           "--quiet", *options], cwd=ROOT, capture_output=True, text=True, env=environment,
                          timeout=300)


@pytest.mark.parametrize("fault", ["SIGKILL", "SIGSTOP"])
def test_a_store_killed_or_frozen_during_publish_stops_it_with_a_message_and_a_rerun_completes(built, store,
                                                                                              fault):
    # Frozen first, so that the publish is surely under way (waiting on the store) when the fault lands.
    store.signal(signal.SIGSTOP)
    running = subprocess.Popen([sys.executable, "-m", "lodpub.cli", "publish", "--to", store.url + "store",
                                "--dist", str(built.dist_dir), "--quiet", "--retries", "0", "--timeout", "3"],
                               cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if fault == "SIGKILL":
        time.sleep(0.5)
        store.signal(signal.SIGKILL)
    out, err = running.communicate(timeout=300)
    assert running.returncode == 1, out + err
    assert err.startswith("Error: ") and "Traceback" not in err, err
    assert str(store.port) in err     # the message names the store it could not publish to

    if fault == "SIGKILL":
        store.start()
    else:
        store.signal(signal.SIGCONT)
    again = lodpub_publish(built, store.url + "store", "--retries", "2", "--backoff", "0.2")
    assert again.returncode == 0, again.stderr
    assert store.quads() == read_manifest(built.dist_dir)["quads"]
