"""Who read which published file or endpoint, and what they got: the table a run ends with (see conftest)."""

from __future__ import annotations

from urllib.parse import urlsplit

READ: list[tuple[str, str, str]] = []


def read(client: str, url: str, count: int | None, note: str = "") -> None:
    """Record that `client` read `count` triples or quads from `url` (None: it could not, `note` says why)."""
    got = f"{count} statements" if count is not None else "not read"
    READ.append((client, urlsplit(url).path, got + (f" ({note})" if note else "")))


def table() -> list[str]:
    rows = sorted(set(READ))
    width = [max(len(r[i]) for r in rows) for i in range(2)]
    return [f"{c:<{width[0]}}  {p:<{width[1]}}  {g}" for c, p, g in rows]
