"""A newcomer's path, as README tells it: `make serve PORT=N`, then open what it prints.

`make serve PORT=N` builds with a base on port N, so every IRI a page or a document shows dereferences on the
server it just started; it installs the project without its test tools; and `lodpub serve --base` that
disagrees with the build stops, naming both bases.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time

import pytest
import rdflib

from .conftest import ROOT, free_port
from .linkeddata import get, parse

MAKE = shutil.which("make")
pytestmark = pytest.mark.skipif(MAKE is None, reason="make is not installed")


def make_dry_run(*args: str) -> str:
    """What `make` would run, every target taken as out of date (-B), without running it (-n)."""
    result = subprocess.run([MAKE, "-n", "-B", *args], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_make_serve_installs_only_what_serving_needs():
    commands = make_dry_run("serve", "PORT=18101")
    installs = [line for line in commands.splitlines() if "pip install" in line and "--upgrade pip" not in line]
    assert installs and all(line.rstrip().endswith("-e .") for line in installs), installs
    assert "[test]" not in commands


def test_make_test_installs_the_test_tools():
    assert "-e '.[test]'" in make_dry_run("test")


def test_make_serve_builds_and_serves_with_the_ports_base():
    commands = make_dry_run("serve", "PORT=18101")
    assert "lodpub build --base http://localhost:18101/" in commands
    assert "--port 18101 --base http://localhost:18101/" in commands


@pytest.fixture(scope="module")
def make_serve(tmp_path_factory):
    """`make serve PORT=N` for real, into a dist of its own (the checkout's dist/ is left alone)."""
    folder = tmp_path_factory.mktemp("make-serve")
    port = free_port()
    env = {**os.environ, "LODPUB_CACHE_DIR": str(folder / "cache"), "PYTHON": sys.executable}
    log = open(folder / "make.log", "w")
    process = subprocess.Popen([MAKE, "serve", f"PORT={port}", f"DIST={folder / 'dist'}"], cwd=ROOT, env=env,
                               stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 300
        while True:
            assert process.poll() is None, (folder / "make.log").read_text()
            assert time.monotonic() < deadline, "make serve did not answer within 300 s"
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                    break
            except OSError:
                time.sleep(0.2)
        yield port, folder
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        log.close()


def test_every_iri_a_document_shows_dereferences_on_the_port_served(make_serve):
    port, _ = make_serve
    base = f"http://localhost:{port}/"
    response = get(f"http://127.0.0.1:{port}/id/person/mike-pompeo", "text/turtle")
    assert response.status_code == 200
    graph = parse(response, "turtle")
    iris = {str(t) for triple in graph for t in triple if isinstance(t, rdflib.URIRef)}
    assert base + "id/person/mike-pompeo" in iris
    ours = sorted(iri for iri in iris if iri.startswith("http://localhost:"))
    assert ours and all(iri.startswith(base) for iri in ours), [i for i in ours if not i.startswith(base)][:5]
    for iri in ours:
        answer = get(iri.replace("localhost", "127.0.0.1", 1).split("#")[0], "text/turtle")
        assert answer.status_code == 200, iri


def test_serve_with_a_base_the_build_did_not_use_stops_naming_both(make_serve):
    port, folder = make_serve
    result = subprocess.run(
        [sys.executable, "-m", "lodpub.cli", "serve", "--port", str(free_port()), "--dist", str(folder / "dist"),
         "--base", "https://data.example.org/"], capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    assert "https://data.example.org/" in result.stderr
    assert f"http://localhost:{port}/" in result.stderr


def test_the_readme_is_a_front_door():
    """README: at most about 8 KB, the two commands, what to open next, the home screenshot, a map of docs/."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert len(readme.encode("utf-8")) <= 8 * 1024
    for needed in ("make serve", "make test", "PORT=", "http://localhost:8080/id/person/mike-pompeo",
                   "http://localhost:8080/sparql", "](docs/screenshots/home.png)"):
        assert needed in readme, needed
    for doc in sorted((ROOT / "docs").glob("*.md")):
        assert f"](docs/{doc.name})" in readme, f"README's map of docs/ misses {doc.name}"
