"""The published build's layout, its manifest, and how a new build replaces it in one step.

    dist/
      current -> builds/<version>      the published build: one symbolic link, replaced by rename(2)
      builds/<version>/                one folder per kept build: store/, dumps/, void.ttl, build.json
      builds/.staging-<pid>/           a build being written (a killed build's is removed by the next build)
      store, dumps, void.ttl, build.json, search.sqlite -> current/...
                                       fixed links: `dist/void.ttl` is always the published one
      builds/<version>/dumps/<name>.parts/0000000, 0000001...
                                       a big dump kept as its parts (links to the build's cache): the parts,
                                       concatenated in the order of their names, are the dump
      .lock                            held (flock) by the build writing here

A build writes its folder whole, then points `current` at it with one rename: whenever a build is killed, `current`
names either the old build or the new one, both complete. Builds into the same dist take the lock in turn. Only
the newest few builds are kept; a server reads the published one through `current` (see web/builds.py), and older
ones by their version.

The serving side imports this module, never the build: the two meet here and in the manifest.
"""

from __future__ import annotations

import bisect
import contextlib
import errno
import fcntl
import io
import itertools
import json
import os
import shutil
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from .fulltext import FILE as SEARCH_INDEX

MANIFEST = "build.json"
VOID_FILE = "void.ttl"
CURRENT = "current"
BUILDS = "builds"
LOCK = ".lock"
STAGING = ".staging-"
TRASH = ".trash-"
FIXED = ("store", "dumps", VOID_FILE, MANIFEST, SEARCH_INDEX)    # links beside `current`, into it
PARTS = ".parts"   # after a dump's name: the folder of its parts
PAUSE_AT = "LODPUB_PAUSE_AT"   # a step name: the build stops there until killed (the tests' kill -9 points)


def checkpoint(step: str) -> None:
    """A named step of a build; with LODPUB_PAUSE_AT=<step> the build says so and waits there to be killed."""
    if os.environ.get(PAUSE_AT) == step:
        print(f"lodpub: paused at {step}", file=sys.stderr, flush=True)
        while True:
            time.sleep(3600)


def current(dist: Path) -> Path:
    """The folder of the published build: what `current` points at, resolved once (a build published later
    does not change what the caller holds); `dist` itself when it is a build folder or of the older layout."""
    try:
        target = os.readlink(dist / CURRENT)
    except OSError:
        return dist
    return dist / target


def current_version(dist: Path) -> str | None:
    """The published build's version, or None (no build yet, or the older layout): one readlink."""
    try:
        return os.path.basename(os.readlink(dist / CURRENT))
    except OSError:
        return None


def is_layout(dist: Path) -> bool:
    return (dist / CURRENT).is_symlink()


def read_manifest(dist: Path) -> dict:
    path = current(dist) / MANIFEST
    if not path.exists():
        raise FileNotFoundError(f"{dist} holds no build: run `lodpub build` first")
    return json.loads(path.read_text(encoding="utf-8"))


def build_id(manifest: dict) -> str:
    """Which build this is, in cache keys: its version when it has one, else the time it was built."""
    return str(manifest.get("version") or manifest["built"])


@dataclass(frozen=True)
class Build:
    """One kept build: its version, its folder, and its manifest."""

    version: str
    folder: Path
    manifest: dict

    @property
    def built(self) -> datetime:
        return datetime.fromisoformat(self.manifest["built"])

    @property
    def order(self) -> tuple:
        return self.manifest.get("sequence", 0), self.manifest["built"], self.version


# A parsed manifest, with the identity of its file when it was read: (inode, mtime in ns, size).
Parsed = dict[str, tuple[tuple[int, int, int], dict]]


def _manifest_of(path: str, parsed: Parsed | None) -> dict:
    """A build's manifest; with `parsed`, read again only when its file changed."""
    stat = os.stat(path)
    identity = (stat.st_ino, stat.st_mtime_ns, stat.st_size)
    known = parsed.get(path) if parsed is not None else None
    if known is not None and known[0] == identity:
        return known[1]
    with open(path, encoding="utf-8") as file:
        manifest = json.load(file)
    if parsed is not None:
        parsed[path] = (identity, manifest)
    return manifest


def kept_builds(dist: Path, parsed: Parsed | None = None) -> list[Build]:
    """The builds in `dist` that were published, oldest first: complete, and not newer than the published one
    (a build killed between naming its folder and publishing it is never listed; the next build removes it).
    A server lists them every second, and a large data set's manifests (a hash per graph) take a while to
    parse: it passes `parsed`, which keeps them between calls."""
    found = []
    try:
        entries = list(os.scandir(dist / BUILDS))
    except OSError:
        return []
    listed = set()
    for entry in entries:
        if entry.name.startswith(".") or not entry.is_dir(follow_symlinks=False):
            continue
        path = os.path.join(entry.path, MANIFEST)
        try:
            manifest = _manifest_of(path, parsed)
        except (OSError, ValueError):
            continue
        listed.add(path)
        if isinstance(manifest, dict) and "built" in manifest:
            found.append(Build(entry.name, Path(entry.path), manifest))
    if parsed is not None:
        for gone in set(parsed) - listed:
            parsed.pop(gone, None)
    found.sort(key=lambda b: b.order)
    published = current_version(dist)
    last = next((i for i, b in enumerate(found) if b.version == published), None)
    return found[:last + 1] if last is not None else []


class BuildBusy(RuntimeError):
    """Another build holds the lock of the dist folder, and we were asked not to wait."""


class Publishing:
    """The lock of a dist folder, a staging folder under it, and the step that publishes what was staged.

    `with Publishing(dist, keep) as p:` takes the lock (waiting for a build that holds it, or raising BuildBusy
    with `wait=False`), clears what killed builds left, and makes `p.staging`; `p.publish(version)` makes the
    staged build the published one and removes builds beyond the newest `keep`. Leaving the block any other
    way removes the staging folder and leaves the published build as it was."""

    def __init__(self, dist: Path, keep: int = 3, wait: bool = True,
                 on_wait: Callable[[str], None] | None = None) -> None:
        self.dist = dist
        self.keep = max(1, keep)
        self.wait = wait
        self.on_wait = on_wait
        self.builds = dist / BUILDS
        self.staging = self.builds / f"{STAGING}{os.getpid()}"
        self._lock = None

    def __enter__(self) -> Publishing:
        self.builds.mkdir(parents=True, exist_ok=True)
        self._lock = _take_lock(self.dist / LOCK, self.wait, self.on_wait, self.dist)
        try:
            self._clear_leftovers()
            self.staging.mkdir()
        except BaseException:
            self._release()
            raise
        return self

    def __exit__(self, *exc) -> None:
        try:
            shutil.rmtree(self.staging, ignore_errors=True)
        finally:
            self._release()

    def _release(self) -> None:
        if self._lock is not None:
            self._lock.close()     # closing the file drops the flock
            self._lock = None

    def _clear_leftovers(self) -> None:
        """What killed builds left: their staging and trash folders, a half-made link (we hold the lock, so
        no build is running), and the folders of lodpub's older swap beside dist."""
        published = {b.version for b in kept_builds(self.dist)}
        for entry in os.scandir(self.builds):
            if entry.name.startswith((STAGING, TRASH)) or (not entry.name.startswith(".")
                                                              and entry.name not in published):
                shutil.rmtree(entry.path, ignore_errors=True)    # left, or named but never published
        for entry in os.scandir(self.dist):
            if entry.name.startswith(f".{CURRENT}-") and entry.is_symlink():
                os.unlink(entry.path)
        parent = self.dist.parent
        for old in (*parent.glob(f".{self.dist.name}.old-*"), parent / f".{self.dist.name}.building"):
            if old.is_dir() and not old.is_symlink():
                shutil.rmtree(old, ignore_errors=True)

    def previous(self) -> list[Build]:
        """The kept builds, oldest first (the published one among them)."""
        return kept_builds(self.dist)

    def kept_after(self, version: str, manifest: dict) -> list[Build]:
        """The builds that stay once this one is published: it and the newest `keep - 1` others."""
        others = self.previous()[1 - self.keep:] if self.keep > 1 else []
        return [*others, Build(version, self.builds / version, manifest)]

    def free_name(self, version: str) -> str:
        """`version`, or with a suffix when a build of that name is already kept (same data, same second)."""
        name, n = version, 1
        while (self.builds / name).exists():
            n += 1
            name = f"{version}-{n}"
        return name

    def publish(self, version: str) -> Path:
        """Rename the staged folder to its version, point `current` at it, and remove builds beyond `keep`."""
        folder = self.builds / version
        checkpoint("staged")
        os.rename(self.staging, folder)
        checkpoint("renamed")
        link = self.dist / f".{CURRENT}-{os.getpid()}"
        try:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(link)
            os.symlink(f"{BUILDS}/{version}", link)
        except BaseException:
            shutil.rmtree(folder, ignore_errors=True)
            raise
        checkpoint("linked")
        try:
            os.replace(link, self.dist / CURRENT)     # the one step that publishes
        except BaseException:
            shutil.rmtree(folder, ignore_errors=True)
            raise
        checkpoint("swapped")
        try:
            self._fixed_links()
            self._prune(version)
        except OSError as error:     # published all the same: tell, and let the next build finish the work
            print(f"published {version}; could not tidy {self.dist}: {error}", file=sys.stderr, flush=True)
        return folder

    def _fixed_links(self) -> None:
        """`dist/store` and the others, as links into `current`. Made once; a dist of the older layout (the
        folders themselves) has them moved into a build folder of their own first."""
        legacy = None
        for name in FIXED:
            path = self.dist / name
            if path.is_symlink():
                continue
            if path.exists():
                legacy = legacy or self.builds / f"{TRASH}legacy-{os.getpid()}"
                legacy.mkdir(exist_ok=True)
                os.rename(path, legacy / name)
            tmp = self.dist / f".{name}-{os.getpid()}"
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
            os.symlink(f"{CURRENT}/{name}", tmp)
            os.replace(tmp, path)
        if legacy is not None:
            shutil.rmtree(legacy, ignore_errors=True)

    def _prune(self, published: str) -> None:
        """Remove all but the newest `keep` builds (never the published one): each renamed out of the kept
        names first, so a half-removed build is never listed."""
        kept = self.previous()
        for build in kept[:max(0, len(kept) - self.keep)]:
            if build.version == published:
                continue
            trash = self.builds / f"{TRASH}{build.version}"
            os.rename(build.folder, trash)
            checkpoint("pruning")
            shutil.rmtree(trash, ignore_errors=True)


def _take_lock(path: Path, wait: bool, on_wait: Callable[[str], None] | None, dist: Path):
    """The folder's lock, an flock on an empty file (never written, so a dist's files stay as they were):
    released by the kernel when the process ends, however it ends."""
    handle = open(path, "a")
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            message = f"another build is writing into {dist}"
            if not wait:
                raise BuildBusy(f"{message}; try again when it has finished") from None
            if on_wait is not None:
                on_wait(f"{message}: waiting for it to finish")
            fcntl.flock(handle, fcntl.LOCK_EX)
    except BaseException:
        handle.close()
        raise
    return handle


def no_space(error: BaseException) -> bool:
    """Whether an error is a full disk, whichever layer raised it (the OS, or the store's engine)."""
    if isinstance(error, OSError) and error.errno in (errno.ENOSPC, errno.EDQUOT):
        return True
    return "no space left on device" in str(error).lower()



def dump_path(folder: Path, name: str) -> Path | None:
    """The dump `name` of a dumps folder: its file, or the folder of its parts; None when there is neither."""
    path = folder / name
    if path.is_file():
        return path
    parts = folder / (name + PARTS)
    return parts if parts.is_dir() else None


def open_dump(path: Path) -> io.BufferedReader:
    """A dump to read from its start, whether it is kept whole or as parts (`path` as `dump_path` gives it,
    or the dump's own name beside the folder of its parts)."""
    parts = path if path.name.endswith(PARTS) else path.with_name(path.name + PARTS)
    if parts.is_dir():
        return io.BufferedReader(JoinedParts(parts), 1 << 20)
    return open(path, "rb")


class JoinedParts(io.RawIOBase):
    """The parts of a dump read as one file, seekable, so that a server answers byte ranges of it."""

    def __init__(self, folder: Path) -> None:
        super().__init__()
        entries = sorted((e.name, e.path, e.stat().st_size) for e in os.scandir(folder) if not e.name.startswith("."))
        self.paths = [path for _, path, _ in entries]
        self.starts = list(itertools.accumulate((size for _, _, size in entries), initial=0))
        self.size = self.starts[-1]
        self._position = 0
        self._open: tuple[int, io.BufferedReader] | None = None

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._position

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        start = {io.SEEK_SET: 0, io.SEEK_CUR: self._position, io.SEEK_END: self.size}[whence]
        if start + offset < 0:
            raise ValueError(f"negative position {start + offset}")
        self._position = start + offset
        return self._position

    def readinto(self, buffer) -> int:
        if self._position >= self.size:
            return 0
        index = bisect.bisect_right(self.starts, self._position) - 1
        if self._open is None or self._open[0] != index:
            self._close_part()
            self._open = (index, open(self.paths[index], "rb"))
        handle = self._open[1]
        handle.seek(self._position - self.starts[index])
        wanted = min(len(buffer), self.starts[index + 1] - self._position)
        read = handle.readinto(memoryview(buffer)[:wanted])
        if not read:
            raise OSError(f"{self.paths[index]} is shorter than when the dump was opened")
        self._position += read
        return read

    def _close_part(self) -> None:
        if self._open is not None:
            self._open[1].close()
            self._open = None

    def close(self) -> None:
        self._close_part()
        super().close()
