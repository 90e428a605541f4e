"""A small W3C WebDriver client for Debian's chromedriver and headless Chromium, over plain HTTP.

Every request to a host other than the server under test is blocked: no name resolves except the loopback
address, and every connection that is not to the loopback goes to a proxy that does not exist. A test can
also ask the page which resources it loaded (`resources()`).
"""

from __future__ import annotations

import base64
import json
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

from .conftest import stop_process

ELEMENT = "element-6066-11e4-a52e-4f735466cecf"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class WebDriverError(RuntimeError):
    pass


class Browser:
    def __init__(self, profile: Path, width: int = 1280, height: int = 1000) -> None:
        if not CHROMIUM or not CHROMEDRIVER:
            raise WebDriverError("Debian's chromium and chromium-driver are needed (.ci/run installs them)")
        self.port = _free_port()
        self.log = open(profile.parent / f"chromedriver-{self.port}.log", "w")
        self.process = subprocess.Popen([CHROMEDRIVER, f"--port={self.port}"], stdout=self.log,
                                        stderr=subprocess.STDOUT)
        self.url = f"http://127.0.0.1:{self.port}"
        deadline = time.monotonic() + 20
        while True:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    self.process.kill()
                    raise WebDriverError("chromedriver did not start") from None
                time.sleep(0.1)
        args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-quic", f"--user-data-dir={profile}", f"--window-size={width},{height}",
                # Block every other host: names do not resolve, other addresses go to a dead proxy.
                "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
                "--proxy-server=http://127.0.0.1:9"]
        answer = self._call("POST", "/session", {"capabilities": {"alwaysMatch": {
            "browserName": "chrome", "goog:chromeOptions": {"binary": CHROMIUM, "args": args},
            # An alert stays open, so a test can tell that a script ran one.
            "unhandledPromptBehavior": "ignore"}}})
        self.session = answer["sessionId"]

    def _call(self, method: str, path: str, body: dict | None = None):
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.url + path, data=data, method=method,
                                         headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=120) as response:
                return json.loads(response.read())["value"]
        except urllib.error.HTTPError as error:
            raise WebDriverError(error.read().decode(errors="replace")[:2000]) from None

    def _session(self, method: str, path: str, body: dict | None = None):
        return self._call(method, f"/session/{self.session}{path}", body)

    # --- what a test does ----------------------------------------------------------------------------
    def get(self, url: str) -> None:
        self._session("POST", "/url", {"url": url})

    @property
    def current_url(self) -> str:
        return self._session("GET", "/url")

    def find(self, css: str) -> str:
        return self._session("POST", "/element", {"using": "css selector", "value": css})[ELEMENT]

    def find_all(self, css: str) -> list[str]:
        return [e[ELEMENT] for e in self._session("POST", "/elements", {"using": "css selector", "value": css})]

    def click(self, element: str) -> None:
        self._session("POST", f"/element/{element}/click", {})

    def type(self, element: str, text: str) -> None:
        self._session("POST", f"/element/{element}/value", {"text": text})

    def text(self, element: str) -> str:
        return self._session("GET", f"/element/{element}/text")

    def attribute(self, element: str, name: str) -> str | None:
        return self._session("GET", f"/element/{element}/attribute/{name}")

    def run(self, script: str, *args):
        """Run JavaScript in the page; elements are passed as their ids."""
        wrapped = [{ELEMENT: a[len("el:"):]} if isinstance(a, str) and a.startswith("el:") else a for a in args]
        return self._session("POST", "/execute/sync", {"script": script, "args": wrapped})

    def alert_text(self) -> str | None:
        """The text of an open alert, or None when no script opened one."""
        try:
            return self._session("GET", "/alert/text")
        except WebDriverError as error:
            if "no such alert" in str(error):
                return None
            raise

    def wait_for(self, script: str, timeout: float = 10.0):
        """Poll a JavaScript expression until it is truthy; return its value."""
        deadline = time.monotonic() + timeout
        while True:
            value = self.run(f"return ({script});")
            if value:
                return value
            if time.monotonic() > deadline:
                raise WebDriverError(f"timed out waiting for {script}")
            time.sleep(0.1)

    def resources(self) -> list[str]:
        """The URLs of the document and of everything the page loaded."""
        return self.run("return [location.href].concat(performance.getEntriesByType('resource')"
                        ".map(function (e) { return e.name; }));")

    def screenshot(self, path: Path, full_height: bool = True) -> None:
        if full_height:
            height = self.run("return Math.ceil(document.documentElement.scrollHeight);")
            width = self.run("return window.outerWidth;")
            self._session("POST", "/window/rect", {"width": width, "height": min(int(height) + 120, 6000)})
        png = self._session("GET", "/screenshot")
        path.write_bytes(base64.b64decode(png))

    def quit(self) -> None:
        try:
            self._call("DELETE", f"/session/{self.session}")
        except (WebDriverError, OSError):
            pass
        stop_process(self.process, self.log)


def module_browser(tmp_path_factory):
    """A headless Chromium for the tests of one module (a generator for a pytest fixture); skipped where Debian's
    chromium and chromium-driver are missing."""
    import pytest

    if not (CHROMIUM and CHROMEDRIVER):
        pytest.skip("Debian's chromium and chromium-driver are not installed (.ci/run installs them)")
    session = Browser(tmp_path_factory.mktemp("chromium-profile"))
    yield session
    session.quit()
