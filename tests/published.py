"""What tests of published builds share: which build a running server serves."""

from __future__ import annotations

import time

import pyoxigraph as ox
import requests

from .conftest import LiveServer

DCAT_VERSION = "http://www.w3.org/ns/dcat#version"


def served_version(server: LiveServer) -> str | None:
    response = requests.get(server.url + "dataset", headers={"Accept": "application/n-triples"}, timeout=30)
    assert response.status_code == 200
    for t in ox.parse(response.content, format=ox.RdfFormat.N_TRIPLES):
        if t.predicate.value == DCAT_VERSION and t.subject.value.endswith("/dataset") \
                and "/builds/" not in t.subject.value:
            return t.object.value
    return None


def wait_served(server: LiveServer, version: str, seconds: float = 60) -> None:
    """The running server (the same process) serves `version`: it follows dist/current by itself."""
    deadline = time.monotonic() + seconds
    while (found := served_version(server)) != version:
        assert time.monotonic() < deadline, f"the server still serves {found}, not {version}"
        time.sleep(0.2)
