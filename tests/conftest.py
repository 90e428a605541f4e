"""Shared fixtures: the project's real data, built once per test session into a temporary dist."""

from __future__ import annotations

import os
import shutil
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

from .loopback import LoopbackServer

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
BASE = "http://localhost:8080/"
pytest_plugins = ["tests.probes"]


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


def stop_process(process: subprocess.Popen, log, seconds: float = 10) -> None:
    """Stop a server the tests started: politely, then, after `seconds`, for good."""
    process.terminate()
    try:
        process.wait(seconds)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    log.close()


class LiveServer:
    """`lodpub serve` in a subprocess on a loopback port, as a user would run it."""

    def __init__(self, settings: Settings, *extra: str, env: dict[str, str] | None = None) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        env = {**os.environ, "PYTHONUNBUFFERED": "1", "LODPUB_CACHE_DIR": str(settings.dist_dir.parent / "cache"),
               **(env or {})}
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
        stop_process(self.process, self.log)


# --- Backends: every test that uses `server` runs over each of them ---------------------------------------

BACKENDS = ("embedded", "oxigraph", "virtuoso")


def pytest_configure(config) -> None:
    config.addinivalue_line("markers", "embedded_only(reason): holds for the embedded store only; skipped over "
                                       "a remote store, with the reason")
    config.addinivalue_line("markers", "deviates(backend, reason): the store behind `server` deviates from the "
                                       "standard in a way this test catches; an expected failure over it")


def pytest_collection_modifyitems(config, items) -> None:
    for item in items:
        callspec = getattr(item, "callspec", None)
        for deviation in item.iter_markers("deviates"):
            backend, reason = deviation.args
            if callspec and callspec.params.get("server") == backend:
                # Expected to fail, and strictly: the day the store conforms, the run says so.
                item.add_marker(pytest.mark.xfail(reason=f"{backend} deviates from the standard: {reason} "
                                                         "(docs/stores.md)", strict=True))
        marker = item.get_closest_marker("embedded_only")
        if marker and callspec and callspec.params.get("server", "embedded") != "embedded":
            reason = marker.kwargs.get("reason") or (marker.args[0] if marker.args else "embedded store only")
            item.add_marker(pytest.mark.skip(reason=f"embedded store only: {reason}"))


def oxigraph_binary() -> str:
    """The `oxigraph` server binary of the `oxigraph` package (in the test extra), beside our Python."""
    found = shutil.which("oxigraph", path=os.pathsep.join([str(Path(sys.executable).parent),
                                                           os.environ.get("PATH", "")]))
    if not found:
        pytest.fail("the oxigraph server binary is missing: pip install -e '.[test]' installs it")
    return found


def wait_for_port(port: int, process: subprocess.Popen, log: Path, what: str) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{what} exited: {log.read_text()}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    process.kill()
    raise RuntimeError(f"{what} did not start within 30 s")


class OxigraphServer:
    """A real Oxigraph server on a loopback port: `query_url` (SPARQL 1.1 Protocol), `store_url` (Graph Store
    Protocol). `union=True` makes its default graph the union of the named graphs, as lodpub's is."""

    def __init__(self, workdir: Path, *, union: bool = True, persistent: bool = True) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        self.query_url = self.url + "query"
        self.store_url = self.url + "store"
        workdir.mkdir(parents=True, exist_ok=True)
        self.log_path = workdir / f"oxigraph-{self.port}.log"
        self.log = open(self.log_path, "w")
        command = [oxigraph_binary(), "serve", "--bind", f"127.0.0.1:{self.port}"]
        if persistent:
            command += ["--location", str(workdir / f"oxigraph-{self.port}")]
        if union:
            command.append("--union-default-graph")
        self.process = subprocess.Popen(command, stdout=self.log, stderr=subprocess.STDOUT)
        wait_for_port(self.port, self.process, self.log_path, "oxigraph")

    def stop(self) -> None:
        stop_process(self.process, self.log)


@pytest.fixture(scope="session")
def oxigraph(tmp_path_factory, built):
    """One Oxigraph server for the session, with union default graph, holding the built data published by
    `lodpub publish` (one named graph per source, plus ontology, shapes and dataset)."""
    from lodpub.publish import publish

    live = OxigraphServer(tmp_path_factory.mktemp("oxigraph"))
    try:
        publish(built, live.store_url, retries=2, backoff=0.2)
        yield live
    finally:
        live.stop()


@pytest.fixture(scope="session")
def virtuoso(tmp_path_factory, built):
    """One Virtuoso for the session, holding the built data published by `lodpub publish` into its Graph
    Store endpoint (HTTP Digest authentication). Skipped, with a message, where Virtuoso is not installed."""
    from lodpub.publish import publish
    from lodpub.store import Credentials

    from . import virtuoso as v

    if not v.installed():
        pytest.skip("Virtuoso is not installed here (apt-get install virtuoso-opensource; .ci/run installs it)")
    live = v.VirtuosoServer(tmp_path_factory.mktemp("virtuoso"), free_port(), free_port())
    try:
        publish(built, live.store_url, credentials=Credentials(user=v.USER, password=v.PASSWORD), retries=2,
                backoff=0.2)
        live.checkpoint()
        yield live
    finally:
        live.stop()


@pytest.fixture(scope="session", params=BACKENDS)
def server(request, built):
    """A real server over the built data; `server.url` is its root, e.g. http://127.0.0.1:PORT/.

    Parametrized by backend: the embedded store the build wrote, and `lodpub serve --store` over an Oxigraph
    server and over a Virtuoso the data was published into. `server.backend` says which.
    """
    live = LiveServer(built, "--query-timeout", "3", *store_arguments(request, request.param))
    live.backend = request.param
    yield live
    live.stop()


def store_arguments(request, backend: str) -> list[str]:
    """The options of `lodpub serve` that put it over the store of this backend (none for the embedded one)."""
    if backend == "oxigraph":
        return ["--store", request.getfixturevalue("oxigraph").query_url]
    if backend == "virtuoso":
        # Virtuoso's default graph is the union of all its graphs, its own system graphs included: every query
        # names lodpub's graphs instead (docs/stores.md).
        return ["--store", request.getfixturevalue("virtuoso").query_url, "--store-union", "explicit"]
    return []


@pytest.fixture(scope="module")
def site(built):
    """A server of the module's own over the built data, on the embedded store only."""
    live = LiveServer(built)
    yield live
    live.stop()


SMALL_PAGE = 5


@pytest.fixture(scope="module")
def endpoint(server) -> str:
    """The SPARQL endpoint of `server` (a module may override it to use a server of its own)."""
    return server.url + "sparql"


@pytest.fixture(scope="session")
def small_pages(built):
    """A second server that pages lists and incoming links five at a time, so paging is exercised on any data."""
    live = LiveServer(built, env={"LODPUB_PAGE_SIZE": str(SMALL_PAGE), "LODPUB_SECTION_ROWS": str(SMALL_PAGE)})
    yield live
    live.stop()


@pytest.fixture
def loopback():
    """Start scripted loopback HTTP servers (tests/loopback.py); each stops when the test ends."""
    servers: list[LoopbackServer] = []

    def start(respond) -> LoopbackServer:
        server = LoopbackServer(respond)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


def pytest_terminal_summary(terminalreporter) -> None:
    """The clients that read the dumps and what each read (tests/test_dump_clients.py fills it)."""
    from . import clients

    if clients.READ:
        terminalreporter.section("what each client read")
        for line in clients.table():
            terminalreporter.write_line(line)
