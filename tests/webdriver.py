"""A small W3C WebDriver client over plain HTTP, driving Debian's chromium through its chromedriver.

`chromium --dump-dom` reads a page; clicking needs a driver. WebDriver is a JSON protocol over HTTP, so the
few commands the tests use (open a session, navigate, find elements, click, read an alert, run a script) are
written here with `requests` rather than adding a client library.
"""

from __future__ import annotations

import shutil
import subprocess
import time

import requests

from .conftest import free_port

ELEMENT = "element-6066-11e4-a52e-4f735466cecf"   # the W3C web element identifier
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")


class WebDriverError(Exception):
    def __init__(self, error: str, message: str) -> None:
        super().__init__(f"{error}: {message}")
        self.error = error


class Browser:
    """A headless Chromium session; stop() ends the browser and the driver."""

    def __init__(self, profile) -> None:
        port = free_port()
        self.driver = subprocess.Popen([CHROMEDRIVER, f"--port={port}"], stdout=subprocess.DEVNULL,
                                       stderr=subprocess.DEVNULL)
        self.url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                requests.get(self.url + "/status", timeout=2)
                break
            except requests.ConnectionError:
                if time.monotonic() > deadline:
                    self.driver.kill()
                    raise
                time.sleep(0.1)
        options = {"binary": CHROMIUM, "args": [
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            f"--user-data-dir={profile}"]}
        session = self._call("POST", "/session", {"capabilities": {"alwaysMatch": {
            "browserName": "chrome", "goog:chromeOptions": options, "unhandledPromptBehavior": "ignore"}}})
        self.session = f"/session/{session['sessionId']}"

    def _call(self, method: str, path: str, body: dict | None = None):
        response = requests.request(method, self.url + path, json=body, timeout=120)
        value = response.json().get("value")
        if response.status_code >= 400:
            raise WebDriverError(value.get("error", "?"), value.get("message", "")[:300])
        return value

    def call(self, method: str, path: str, body: dict | None = None):
        return self._call(method, self.session + path, body)

    def open(self, url: str) -> None:
        self.call("POST", "/url", {"url": url})

    @property
    def current_url(self) -> str:
        return self.call("GET", "/url")

    def elements(self, css: str) -> list[str]:
        found = self.call("POST", "/elements", {"using": "css selector", "value": css})
        return [e[ELEMENT] for e in found]

    def click(self, element: str) -> None:
        self.call("POST", f"/element/{element}/click", {})

    def script(self, source: str, *elements: str):
        """Run a script in the page (WebDriver's own, allowed whatever the page's CSP); `elements` are passed
        to it as arguments."""
        return self.call("POST", "/execute/sync", {"script": source, "args": [{ELEMENT: e} for e in elements]})

    def alert_text(self) -> str | None:
        try:
            return self.call("GET", "/alert/text")
        except WebDriverError as error:
            if error.error == "no such alert":
                return None
            raise

    def stop(self) -> None:
        try:
            self._call("DELETE", self.session)
        finally:
            self.driver.kill()
            self.driver.wait()
