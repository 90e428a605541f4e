"""The small file that describes a published build (dist/build.json): the one thing the build and the server share.

The server reads it here and never imports the build pipeline; `build_id` is what names a build in cache keys,
so that no answer outlives the data it came from.
"""

from __future__ import annotations

import json
from pathlib import Path

__all__ = ["MANIFEST", "build_id", "read_manifest"]

MANIFEST = "build.json"


def read_manifest(dist: Path) -> dict:
    path = Path(dist) / MANIFEST
    if not path.exists():
        raise FileNotFoundError(f"{dist} holds no build: run `lodpub build` first")
    return json.loads(path.read_text(encoding="utf-8"))


def build_id(manifest: dict) -> str:
    """Which build this is: its version when it has one, else the time it was built."""
    return str(manifest.get("version") or manifest["built"])
