"""Running `lodpub serve`: a production WSGI server with several worker processes over the built store,
which never re-reads the sources; and `--dev`, Flask's server with the reloader."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from .conftest import LiveServer, free_port
from .linkeddata import get


def children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="counts processes through /proc (Linux)")
def test_serve_runs_several_worker_processes(server):
    deadline = time.monotonic() + 10      # gunicorn forks its workers a random tenth of a second apart
    while len(workers := children(server.process.pid)) < 3 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert len(workers) == 3, "the server fixture asks for three workers"


def test_serve_needs_only_the_built_dist_not_the_sources(built, tmp_path):
    """A copy of dist/, served with the source folders pointing nowhere: nothing is re-parsed at start."""
    dist = tmp_path / "dist"
    shutil.copytree(built.dist_dir, dist)
    nowhere = str(tmp_path / "no-such-folder")
    live = LiveServer(built.replace(dist_dir=dist), env={
        "LODPUB_DATA_DIR": nowhere, "LODPUB_ONTOLOGY_DIR": nowhere, "LODPUB_SHAPES_DIR": nowhere})
    try:
        response = get(live.url + "doc/person/mike-pompeo", "text/turtle")
        assert response.status_code == 200
        assert "mike-pompeo" in response.text
    finally:
        live.stop()


def test_serve_without_a_build_says_so(tmp_path):
    result = subprocess.run([sys.executable, "-m", "lodpub.cli", "serve", "--dist", str(tmp_path / "none"),
                             "--port", str(free_port())], capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    assert "lodpub build" in result.stderr


def test_serve_dev_runs_flasks_server(built):
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "lodpub.cli", "serve", "--dev", "--host", "127.0.0.1", "--port", str(port),
         "--dist", str(built.dist_dir)],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    try:
        deadline = time.monotonic() + 30
        status = None
        while time.monotonic() < deadline and status is None:
            try:
                status = get(f"http://127.0.0.1:{port}/doc/person/mike-pompeo", "text/html", timeout=5).status_code
            except OSError:
                time.sleep(0.2)
        assert status == 200
    finally:
        # The reloader runs the app in a child process: stop the whole group this test started.
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(10)
