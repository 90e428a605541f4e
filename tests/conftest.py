"""Shared fixtures: the project's real data, built once per test session into a temporary dist."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from lodpub.build import build
from lodpub.config import Settings
from lodpub.store import EmbeddedStore, Solutions
from lodpub.vocab import Names

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
BASE = "http://localhost:8080/"


def project_settings(dist: Path, **changes) -> Settings:
    return Settings(base=BASE, data_dir=ROOT / "data", ontology_dir=ROOT / "ontology",
                    shapes_dir=ROOT / "shapes", dist_dir=dist).replace(**changes)


@pytest.fixture(scope="session")
def built(tmp_path_factory) -> Settings:
    """The project's data, built with the default base; returns the settings that point at it."""
    settings = project_settings(tmp_path_factory.mktemp("built") / "dist")
    build(settings)
    return settings


@pytest.fixture(scope="session")
def store(built) -> EmbeddedStore:
    return EmbeddedStore(built.store_dir)


@pytest.fixture(scope="session")
def sparql(store):
    """Ask the built graph: True/False for ASK, else one dict per row of variable -> term value."""
    names = Names(BASE)

    def run(query: str):
        result = store.query(query, base_iri=BASE, prefixes=names.prefixes())
        if isinstance(result, bool):
            return result
        if isinstance(result, Solutions):
            return [{name: term.value for name, term in zip(result.variables, row, strict=True) if term is not None}
                    for row in result.rows]
        raise TypeError("sparql() answers ASK and SELECT; use the store for CONSTRUCT")

    return run


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LiveServer:
    """`lodpub serve` in a subprocess on a loopback port, as a user would run it."""

    def __init__(self, settings: Settings, *extra: str, env: dict[str, str] | None = None) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        env = {**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})}
        self.log = open(settings.dist_dir.parent / f"server-{self.port}.log", "w")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "lodpub.cli", "serve", "--host", "127.0.0.1", "--port", str(self.port),
             "--dist", str(settings.dist_dir), "--workers", "3", *extra],
            stdout=self.log, stderr=subprocess.STDOUT, env=env)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited: {Path(self.log.name).read_text()}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError("server did not start within 30 s")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()


@pytest.fixture(scope="session")
def server(built):
    """A real server over the built data; `server.url` is its root, e.g. http://127.0.0.1:PORT/."""
    live = LiveServer(built, "--query-timeout", "3")
    yield live
    live.stop()


SMALL_PAGE = 5


@pytest.fixture(scope="session")
def small_pages(built):
    """A second server that pages lists and incoming links five at a time, so paging is exercised on any data."""
    live = LiveServer(built, env={"LODPUB_PAGE_SIZE": str(SMALL_PAGE)})
    yield live
    live.stop()
