"""Open the built site in headless Chromium and fail on what a reader would see broken.

    python docs/_tools/check_site.py docs/_build/html [--screenshots DIR]

The site is served from 127.0.0.1 only (a port the system picks), and Chromium (Debian's
``chromium`` package) is driven through its DevTools protocol. For each page checked (the
index, an API page, the gallery's index and a gallery example) it fails on:

- a console error, an uncaught exception, or a resource that failed to load (HTTP >= 400);
- an image that did not load (``naturalWidth`` 0);
- a link into the site that does not answer 200 (links to other sites are counted, not
  followed: the machine may have no network);
- an empty gallery: no thumbnails on its index, no image on the example page.

Each page's screenshot is saved (``--screenshots``, default ``docs/_build/check``). Exit
status 0 when every page passes, 1 otherwise, 2 when Chromium cannot be started.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import json
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from base64 import b64decode
from pathlib import Path
from urllib.parse import urldefrag, urljoin, urlparse

import websocket

#: page -> what must be on it beyond "nothing broken"
PAGES = {
    "index.html": {},
    "api/generated/nnconvert.convert.html": {},
    "supported.html": {},
    "auto_examples/index.html": {"thumbnails": 10},
    "auto_examples/seeds/plot_kernel_svm_units.html": {"images": 1},
}
TIMEOUT_S = 30


def serve(root: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    """A static file server on 127.0.0.1 (loopback only), in a thread."""
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):  # keep the check's output to its findings
            pass

    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(Quiet, directory=str(root)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/"


def chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        if path := shutil.which(name):
            return path
    sys.exit("docs-check: no chromium on PATH (Debian: apt-get install -y chromium)")


class Browser:
    """Headless Chromium and one page, spoken to over the DevTools protocol."""

    def __init__(self):
        self.profile = tempfile.mkdtemp(prefix="nnconvert-docs-check-")
        self.process = subprocess.Popen(
            [chromium(), "--headless=new", "--no-sandbox", "--disable-gpu",
             "--disable-dev-shm-usage", "--no-first-run", "--hide-scrollbars",
             "--remote-debugging-address=127.0.0.1", "--remote-debugging-port=0",
             f"--user-data-dir={self.profile}", "--window-size=1280,900", "about:blank"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        port_file = Path(self.profile) / "DevToolsActivePort"
        deadline = time.monotonic() + TIMEOUT_S
        while not (port_file.exists() and port_file.read_text().strip()):
            if time.monotonic() > deadline or self.process.poll() is not None:
                self.close()
                print("docs-check: chromium did not start", file=sys.stderr)
                sys.exit(2)
            time.sleep(0.1)
        port = port_file.read_text().split()[0]
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=10) as r:
            target = next(t for t in json.load(r) if t["type"] == "page")
        self.socket = websocket.create_connection(target["webSocketDebuggerUrl"],
                                                  timeout=TIMEOUT_S, suppress_origin=True)
        self.next_id = 0
        self.events: list[dict] = []
        for domain in ("Page", "Runtime", "Log", "Network"):
            self.call(f"{domain}.enable")
        self.call("Emulation.setDeviceMetricsOverride", width=1280, height=900,
                  deviceScaleFactor=1, mobile=False)

    def call(self, method: str, **params) -> dict:
        self.next_id += 1
        self.socket.send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        while True:
            message = json.loads(self.socket.recv())
            if message.get("id") == self.next_id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})
            self.events.append(message)

    def wait_for(self, event: str) -> None:
        deadline = time.monotonic() + TIMEOUT_S
        while not any(e.get("method") == event for e in self.events):
            if time.monotonic() > deadline:
                raise TimeoutError(f"no {event} within {TIMEOUT_S} s")
            self.events.append(json.loads(self.socket.recv()))

    def open(self, url: str) -> None:
        self.events = []
        self.call("Page.navigate", url=url)
        self.wait_for("Page.loadEventFired")
        time.sleep(0.5)  # late console messages
        self.call("Runtime.evaluate", expression="1")  # drains events queued meanwhile

    def evaluate(self, expression: str):
        result = self.call("Runtime.evaluate", expression=expression, returnByValue=True)
        return result["result"].get("value")

    def screenshot(self, path: Path) -> None:
        data = self.call("Page.captureScreenshot", format="png")["data"]
        path.write_bytes(b64decode(data))

    def close(self) -> None:
        if getattr(self, "socket", None):
            self.socket.close()
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        shutil.rmtree(self.profile, ignore_errors=True)


def console_problems(events: list[dict]) -> list[str]:
    problems = []
    for event in events:
        method, params = event.get("method"), event.get("params", {})
        if method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
            text = " ".join(str(a.get("value", a.get("description", ""))) for a in params["args"])
            problems.append(f"console error: {text}")
        elif method == "Runtime.exceptionThrown":
            details = params["exceptionDetails"]
            problems.append("uncaught exception: "
                            + details.get("exception", {}).get("description", details["text"]))
        elif method == "Log.entryAdded" and params["entry"]["level"] == "error":
            entry = params["entry"]
            problems.append(f"console error: {entry['text']} {entry.get('url', '')}".strip())
        elif method == "Network.loadingFailed" and not params.get("canceled"):
            problems.append(f"failed to load ({params.get('errorText')}): {params.get('type')}")
        elif method == "Network.responseReceived" and params["response"]["status"] >= 400:
            problems.append(f"HTTP {params['response']['status']}: {params['response']['url']}")
    return problems


@functools.cache
def answers(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def check_page(browser: Browser, base: str, page: str, needs: dict, shots: Path) -> list[str]:
    url = urljoin(base, page)
    browser.open(url)
    problems = console_problems(browser.events)
    broken = browser.evaluate(
        "Array.from(document.images).filter(i => !i.complete || i.naturalWidth === 0)"
        ".map(i => i.src)")
    problems += [f"broken image: {src}" for src in broken]
    links = browser.evaluate("Array.from(document.querySelectorAll('a[href]')).map(a => a.href)")
    inside = sorted({urldefrag(link)[0] for link in links if link.startswith(base)})
    outside = [link for link in links if urlparse(link).scheme in ("http", "https")
               and not link.startswith(base)]
    problems += [f"broken link: {link} (HTTP {answers(link)})"
                 for link in inside if answers(link) != 200]
    if "thumbnails" in needs:
        count = browser.evaluate("document.querySelectorAll('.sphx-glr-thumbcontainer').length")
        if count < needs["thumbnails"]:
            problems.append(f"gallery has {count} thumbnails, expected at least "
                            f"{needs['thumbnails']}")
    if "images" in needs:
        count = browser.evaluate(
            "Array.from(document.querySelectorAll('img.sphx-glr-single-img, "
            "img.sphx-glr-multi-img')).filter(i => i.naturalWidth > 0).length")
        if count < needs["images"]:
            problems.append(f"example page shows {count} images, expected at least "
                            f"{needs['images']}")
    title = browser.evaluate("document.title")
    shot = shots / (page.replace("/", "_").removesuffix(".html") + ".png")
    browser.screenshot(shot)
    status = "ok" if not problems else "FAILED"
    print(f"{status:6s} {page}: '{title}', {len(inside)} links inside checked, "
          f"{len(outside)} to other sites not followed; screenshot {shot}")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("site", type=Path, help="the built HTML (docs/_build/html)")
    parser.add_argument("--screenshots", type=Path, default=Path("docs/_build/check"))
    args = parser.parse_args(argv)
    if not (args.site / "index.html").is_file():
        print(f"docs-check: {args.site}/index.html is missing: run `make docs` first",
              file=sys.stderr)
        return 2
    args.screenshots.mkdir(parents=True, exist_ok=True)
    server, base = serve(args.site)
    browser = Browser()
    failures = 0
    try:
        for page, needs in PAGES.items():
            for problem in check_page(browser, base, page, needs, args.screenshots):
                print(f"       {problem}")
                failures += 1
    finally:
        browser.close()
        server.shutdown()
    print(f"docs-check: {len(PAGES)} pages, {failures} problems")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
