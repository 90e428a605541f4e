"""A build that is killed, raced or starved of disk leaves the published build whole, and a running server
keeps serving it (and moves to the next one once it is published)."""

from __future__ import annotations

import hashlib
import json
import os
import random
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyoxigraph as ox
import pytest
import requests
from bench import generate

from lodpub import dist

from .conftest import ROOT, LiveServer, project_settings
from .published import wait_served

# Every named step of a build (dist.checkpoint), and whether the new build is published once it is passed.
STEPS = {"prepared": False, "dumps": False, "manifest": False, "staged": False, "renamed": False,
         "linked": False, "swapped": True, "pruning": True}
LEFTOVERS = (dist.STAGING, dist.TRASH)


def run_build(settings, *extra: str, env: dict | None = None, log: Path | None = None) -> subprocess.Popen:
    """`lodpub build` as a user runs it, in a process of its own (its stderr in `log`)."""
    command = [sys.executable, "-m", "lodpub.cli", "build", "--quiet", "--dist", str(settings.dist_dir),
               "--data", str(settings.data_dir), "--ontology", str(ROOT / "ontology"),
               "--shapes", str(ROOT / "shapes"), *extra]
    environment = {**os.environ, "LODPUB_CACHE_DIR": str(settings.cache_dir), **(env or {})}
    out = open(log, "w") if log else subprocess.PIPE
    try:
        return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=out, env=environment, text=True)
    finally:
        if log:
            out.close()


def wait_for_text(path: Path, text: str, process: subprocess.Popen, seconds: float = 180) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if text in path.read_text():
            return
        if process.poll() is not None:
            raise AssertionError(f"the build ended ({process.returncode}) before {text!r}: {path.read_text()}")
        time.sleep(0.05)
    process.kill()
    raise AssertionError(f"no {text!r} within {seconds} s")


def assert_whole(dist_dir: Path) -> dict:
    """The published build is complete: its manifest, its store (every graph it lists), every dump with the
    size and hash its manifest states, and its description; nothing half-made is listed."""
    folder = dist.current(dist_dir)
    assert folder != dist_dir, "dist/current is missing"
    manifest = json.loads((folder / dist.MANIFEST).read_text())
    assert json.loads((dist_dir / dist.MANIFEST).read_text()) == manifest     # the fixed link reads the same
    store = ox.Store.read_only(str(folder / "store"))
    named = next(iter(store.query("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")))[0]
    assert int(named.value) == manifest["quads"]
    for dump in manifest["distributions"]:
        data = (folder / "dumps" / dump["name"]).read_bytes()
        assert (len(data), hashlib.sha256(data).hexdigest()) == (dump["bytes"], dump["sha256"])
    ox.parse(path=str(folder / dist.VOID_FILE), format=ox.RdfFormat.TURTLE)
    return manifest


def assert_dump_served(server: LiveServer, manifest: dict) -> None:
    dump = next(d for d in manifest["distributions"] if d["name"] == "lodpub.nq")
    response = requests.get(server.url + "dumps/lodpub.nq", timeout=30)
    assert response.status_code == 200
    assert hashlib.sha256(response.content).hexdigest() == dump["sha256"]


def no_leftovers(dist_dir: Path) -> list[str]:
    found = [e.name for e in (dist_dir / dist.BUILDS).iterdir() if e.name.startswith(LEFTOVERS)]
    return found + [e.name for e in dist_dir.iterdir() if e.name.startswith(f".{dist.CURRENT}-")]


class Site:
    """A dist folder, its inputs (made-up documents, a new seed for each build), and a server over it."""

    def __init__(self, root: Path) -> None:
        self.settings = project_settings(root / "dist", data_dir=root / "data", cache_dir=root / "cache")
        self.root = root
        self.seed = 0
        self.next_data()
        assert self.build().returncode == 0
        self.server = LiveServer(self.settings)

    def next_data(self) -> None:
        self.seed += 1
        generate.generate(2000, self.settings.data_dir, seed=self.seed)

    def build(self, *extra: str) -> subprocess.CompletedProcess:
        process = run_build(self.settings, *extra)
        out, err = process.communicate(timeout=300)
        return subprocess.CompletedProcess(process.args, process.returncode, out, err)


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    site = Site(tmp_path_factory.mktemp("atomic"))
    yield site
    site.server.stop()


@pytest.mark.parametrize("step", list(STEPS))
def test_kill_9_at_each_step_of_a_build_leaves_a_whole_build_published_and_served(site, step, tmp_path):
    dist_dir = site.settings.dist_dir
    before = dist.current_version(dist_dir)
    pid = site.server.process.pid
    site.next_data()     # other data, so the killed build would publish another version
    log = tmp_path / "build.log"
    process = run_build(site.settings, "--keep", "1" if step == "pruning" else "3",
                        env={dist.PAUSE_AT: step}, log=log)
    wait_for_text(log, f"paused at {step}", process)
    process.send_signal(signal.SIGKILL)
    process.wait(30)
    after = dist.current_version(dist_dir)
    assert (after != before) == STEPS[step]
    manifest = assert_whole(dist_dir)
    assert manifest["version"] == after
    wait_served(site.server, after)
    assert_dump_served(site.server, manifest)
    assert site.server.process.pid == pid and site.server.process.poll() is None
    # A build killed after naming its folder but before publishing it is no version of the dataset.
    kept = [b.version for b in dist.kept_builds(dist_dir)]
    assert kept[-1] == after
    timemap = requests.get(site.server.url + "timemap/dataset", timeout=30).text
    assert sorted(re.findall(r"/builds/([^/]+)/dataset", timemap)) == sorted(kept)
    # The next build clears what the killed one left, and publishes.
    again = site.build()
    assert again.returncode == 0, again.stderr
    assert no_leftovers(dist_dir) == []
    assert_whole(dist_dir)
    wait_served(site.server, dist.current_version(dist_dir))


def test_kill_9_at_sampled_moments_of_a_build_leaves_a_whole_build_published(site, tmp_path):
    dist_dir = site.settings.dist_dir
    site.next_data()
    started = time.monotonic()
    assert site.build().returncode == 0
    duration = time.monotonic() - started
    rng = random.Random(13)
    for moment in sorted(rng.uniform(0.05, 1.0) * duration for _ in range(6)):
        site.next_data()
        process = run_build(site.settings, "--keep", "2", log=tmp_path / "build.log")
        time.sleep(moment)
        process.send_signal(signal.SIGKILL)
        process.wait(30)
        manifest = assert_whole(dist_dir)     # the old build or the new one, whole ...
        wait_served(site.server, manifest["version"])    # ... and served


def test_two_builds_at_once_each_publish_a_whole_build_in_turn(site, tmp_path):
    dist_dir = site.settings.dist_dir
    for round_ in range(3):
        inputs = []
        for i in range(2):    # two data folders, one dist
            data = tmp_path / f"data-{round_}-{i}"
            generate.generate(2000, data, seed=100 + 2 * round_ + i)
            inputs.append(site.settings.replace(data_dir=data))
        logs = [tmp_path / f"build-{round_}-{i}.log" for i in range(2)]
        processes = [run_build(s, "--keep", "3", log=log) for s, log in zip(inputs, logs, strict=True)]
        outs = [p.communicate(timeout=300)[0] for p in processes]
        assert [p.returncode for p in processes] == [0, 0], [log.read_text() for log in logs]
        versions = [out.split("version ", 1)[1].split(",", 1)[0] for out in outs]
        assert len(set(versions)) == 2
        kept = {b.version: b for b in dist.kept_builds(dist_dir)}
        assert set(versions) <= set(kept)
        for version, settings in zip(versions, inputs, strict=True):
            # Each build holds its own data whole: every document of its data folder is one of its graphs.
            slugs = sorted(p.stem for p in settings.data_dir.glob("*.ttl"))
            graphs = kept[version].manifest["graphs"]
            assert sorted(g.rsplit("/", 1)[1] for g in graphs if "/id/graph/" in g) == slugs
        assert dist.current_version(dist_dir) in versions
        assert_whole(dist_dir)
        assert any("waiting for it to finish" in log.read_text() for log in logs)


def test_a_build_that_may_not_wait_fails_with_a_message_while_another_holds_the_folder(site, tmp_path):
    dist_dir = site.settings.dist_dir
    before = dist.current_version(dist_dir)
    site.next_data()
    log = tmp_path / "held.log"
    holder = run_build(site.settings, env={dist.PAUSE_AT: "dumps"}, log=log)
    try:
        wait_for_text(log, "paused at dumps", holder)
        refused = site.build("--no-wait")
        assert refused.returncode == 1
        assert "another build is writing into" in refused.stderr
        assert "the published build is unchanged" in refused.stderr
        assert "Traceback" not in refused.stderr
        waiting_log = tmp_path / "waiting.log"
        waiting = run_build(site.settings, log=waiting_log)
        wait_for_text(waiting_log, "waiting for it to finish", waiting)
        assert waiting.poll() is None          # it waits for the lock ...
    finally:
        holder.send_signal(signal.SIGKILL)     # ... which the kernel frees when its holder dies
        holder.wait(30)
    assert waiting.wait(300) == 0, waiting_log.read_text()
    assert dist.current_version(dist_dir) != before
    assert_whole(dist_dir)


# --- A full disk ------------------------------------------------------------------------------------------

def folder_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file() and not p.is_symlink())


@pytest.fixture
def small_disk(tmp_path):
    """Mount a tmpfs of a given size (root and a mount(8) that may mount are needed: skipped otherwise)."""
    mounted: list[Path] = []

    def mount(size: int) -> Path:
        point = tmp_path / f"disk-{len(mounted)}"
        point.mkdir()
        result = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(point)],
                                capture_output=True, text=True)
        if result.returncode != 0:
            pytest.skip(f"cannot mount a small tmpfs here ({result.stderr.strip() or result.returncode}): the "
                        "full-disk probe needs root in a system that allows mount")
        mounted.append(point)
        return point

    yield mount
    for point in mounted:
        subprocess.run(["umount", "-l", str(point)], capture_output=True)


def test_a_full_disk_fails_the_build_with_a_message_and_leaves_the_published_build(tmp_path, small_disk):
    data = tmp_path / "data"
    generate.generate(2000, data, seed=1)
    probe = project_settings(tmp_path / "probe" / "dist", data_dir=data, cache_dir=tmp_path / "cache")
    process = run_build(probe)
    assert process.wait(300) == 0
    size = folder_bytes(dist.current(probe.dist_dir))
    # Room for two builds, and for the engine compacting the second's copy of the store, which it rewrites.
    disk = small_disk(int(size * 3.5) + (1 << 20))
    settings = probe.replace(dist_dir=disk / "dist")
    assert run_build(settings).wait(300) == 0

    def published() -> tuple[str, dict]:
        folder = dist.current(settings.dist_dir)
        return folder.name, {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
                             for p in sorted(folder.rglob("*")) if p.is_file()}

    failures = 0
    # The disk filled up to leave less room than a build needs, so that it fills at several steps of a build.
    for seed, share in enumerate((0.0, 0.1, 0.3, 0.6, 0.9), start=2):
        generate.generate(2000, data, seed=seed)
        before = published()
        stats = os.statvfs(disk)
        filler = disk / "filler"
        with open(filler, "wb") as handle:
            handle.write(b"\0" * max(0, stats.f_bavail * stats.f_frsize - int(share * size)))
        result = run_build(settings)
        out, err = result.communicate(timeout=300)
        filler.unlink()
        if result.returncode == 0:
            continue    # it fitted: the room left was enough after all
        failures += 1
        assert "build failed: no space left" in err, err
        assert "the published build is unchanged" in err
        assert "Traceback" not in err
        assert published() == before
        assert no_leftovers(settings.dist_dir) == []
        assert_whole(settings.dist_dir)
    assert failures >= 3
    published_before = dist.current_version(settings.dist_dir)
    # With room again, the next build publishes.
    result = run_build(settings)
    out, err = result.communicate(timeout=300)
    assert result.returncode == 0, err
    assert dist.current_version(settings.dist_dir) != published_before
    assert_whole(settings.dist_dir)


def test_a_dist_of_the_older_layout_is_converted_by_the_next_build(tmp_path):
    """Before builds had folders of their own, dist/ held store/, dumps/, void.ttl and build.json itself."""
    data = tmp_path / "data"
    generate.generate(2000, data, seed=1)
    settings = project_settings(tmp_path / "dist", data_dir=data, cache_dir=tmp_path / "cache")
    assert run_build(settings).wait(300) == 0
    old = tmp_path / "old"
    dist.current(settings.dist_dir).rename(old)
    for entry in settings.dist_dir.iterdir():
        entry.unlink() if entry.is_symlink() or entry.is_file() else entry.rmdir()
    settings.dist_dir.rmdir()
    old.rename(settings.dist_dir)
    assert (settings.dist_dir / "store").is_dir() and not dist.is_layout(settings.dist_dir)
    generate.generate(2000, data, seed=2)
    result = run_build(settings)
    assert result.wait(300) == 0, result.stderr.read() if result.stderr else ""
    assert dist.is_layout(settings.dist_dir)
    assert all((settings.dist_dir / name).is_symlink() for name in dist.FIXED)
    assert_whole(settings.dist_dir)
    assert no_leftovers(settings.dist_dir) == []
