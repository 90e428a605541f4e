"""Screenshots of the pages a reader opens first, for docs/screenshots/: `python -m tests.screenshots [DIR]`.

Builds the project's data into a temporary folder, serves it on a loopback port and takes each picture in
headless Chromium with every request to another host blocked (tests/webdriver.py).
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from lodpub.build import build

from .conftest import ROOT, LiveServer, project_settings
from .webdriver import Browser

# (file, path on the server, height of the picture in CSS pixels or None for the page as far as it goes)
PAGES = (
    ("home.png", "", 2300),
    ("person.png", "doc/person/qassem-soleimani", 2300),
    ("letter.png", "doc/letter/2017-11-pompeo-letter-to-soleimani", 1500),
    ("source.png", "doc/document/pompeo-soleimani-letter#span-1092-1322", 1000),
)


def main(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="lodpub-shots-") as tmp:
        settings = project_settings(Path(tmp) / "dist")
        build(settings)
        server = LiveServer(settings)
        browser = Browser(Path(tmp) / "profile", width=1280, height=1000)
        try:
            for name, path, height in PAGES:
                browser._session("POST", "/window/rect", {"width": 1280, "height": height})
                browser.get(server.url + path)
                loaded = browser.resources()
                assert all(url.startswith(server.url) for url in loaded), loaded
                browser.screenshot(out / name, full_height=False)
                print(out / name)
        finally:
            browser.quit()
            server.stop()


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs" / "screenshots")
