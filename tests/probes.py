"""Hostile probes, counted by family: a test marked `@pytest.mark.probe("family")` is one probe (each of its
parametrized cases one more). At the end of the run the terminal summary says, per family, how many probes
were tried and how many held, so the closing numbers of a security review come from the suite itself."""

from __future__ import annotations

from collections import Counter

import pytest

FAMILIES = ("SSRF", "updates", "malformed input", "XSS and headers", "availability", "faults")
_tried: Counter = Counter()
_held: Counter = Counter()
_skipped: Counter = Counter()


def pytest_configure(config) -> None:
    config.addinivalue_line("markers", "probe(family): a hostile probe of one family (" + ", ".join(FAMILIES)
                            + "), counted in the terminal summary")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    marker = item.get_closest_marker("probe")
    if marker is None:
        return
    family = marker.args[0]
    if report.skipped:
        _skipped[family] += 1
    elif report.when == "call" or report.failed:
        if report.when == "call" or report.when == "setup":
            _tried[family] += 1
            if report.passed:
                _held[family] += 1


def pytest_terminal_summary(terminalreporter) -> None:
    if not _tried and not _skipped:
        return
    terminalreporter.section("hostile probes")
    for family in FAMILIES:
        if _tried[family] or _skipped[family]:
            skipped = f", {_skipped[family]} skipped" if _skipped[family] else ""
            terminalreporter.write_line(f"{family}: {_tried[family]} tried, {_held[family]} held{skipped}")
