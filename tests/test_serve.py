"""Running `lodpub serve`: granian with several worker processes over the built store,
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
    deadline = time.monotonic() + 10
    while len(workers := children(server.process.pid)) < 3 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert len(workers) == 3, "the server fixture asks for three workers"


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="kills a worker through /proc (Linux)")
def test_a_worker_that_dies_is_replaced_and_the_site_stays_up(built):
    live = LiveServer(built, "--workers", "2")
    try:
        deadline = time.monotonic() + 10
        while len(workers := children(live.process.pid)) < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
        os.kill(workers[0], signal.SIGKILL)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and (workers[0] in (now := children(live.process.pid)) or len(now) < 2):
            time.sleep(0.2)
        assert workers[0] not in now and len(now) == 2
        for _ in range(6):
            assert get(live.url + "doc/person/mike-pompeo", "text/turtle").status_code == 200
    finally:
        live.stop()


def test_serve_opens_no_control_socket(server):
    """gunicorn 23+ listened on a control socket shared by every instance of a user; granian has none."""
    from .test_serving import descendants

    listening = {}    # inode -> path of every listening Unix socket with a name (flag 00010000: __SO_ACCEPTCON)
    for line in Path("/proc/net/unix").read_text().splitlines()[1:]:
        fields = line.split()
        if len(fields) >= 8 and int(fields[3], 16) & 0x10000:
            listening[fields[6]] = fields[7]
    ours = set()
    for pid in [server.process.pid, *descendants(server.process.pid)]:
        for fd in Path(f"/proc/{pid}/fd").glob("*"):
            try:
                target = os.readlink(fd)
            except OSError:
                continue
            if target.startswith("socket:["):
                ours.add(target[8:-1])
    assert not [listening[inode] for inode in ours if inode in listening]


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads a process's environment through /proc (Linux)")
def test_the_query_processes_are_told_to_keep_few_malloc_arenas(site):
    """Each thread would otherwise get a malloc arena of its own, holding memory no other thread can use."""
    from .test_sparql_time_limit_and_cap import query_processes

    deadline = time.monotonic() + 20
    while not (found := query_processes(site)) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert found, "every worker starts its query processes"
    for pid in found:
        assert b"MALLOC_ARENA_MAX=2" in Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")


def test_a_worker_freezes_what_it_starts_with_and_collects_young_objects_less_often(built):
    """In a worker process, what the app holds from its start is out of the collector's way, and a request's
    own objects die before they are counted as old."""
    script = ("import gc; from lodpub.server import worker_app, GC_YOUNG_THRESHOLD; "
              "before = gc.get_threshold()[0]; worker_app(); "
              "print(before, gc.get_threshold()[0], GC_YOUNG_THRESHOLD, gc.get_freeze_count())")
    result = subprocess.run([sys.executable, "-c", script], env={**os.environ, **built.to_env()},
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    before, after, wanted, frozen = map(int, result.stdout.split())
    assert before == 700 and after == wanted > before
    assert frozen > 10_000, "the modules, templates and app a worker starts with are frozen"


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
