"""A real headless Chromium driven over the DevTools protocol, with the standard library only.

Chromium's ``--remote-debugging-pipe`` reads protocol messages on fd 3 and writes on fd 4,
each ended by a NUL byte, so no WebSocket client is needed. :func:`load` opens a page, waits
for its load event and reports every console error, uncaught exception, log error (CSP
violations among them) and network request the page made.

Debian: ``apt-get install chromium`` (``make test`` does it when missing).
"""

from __future__ import annotations

import base64
import json
import os
import select
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["CHROMIUM", "PageRun", "load"]

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


@dataclass
class PageRun:
    """What happened while a page loaded, and the answers to the expressions asked of it."""

    errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    values: dict[str, Any] = field(default_factory=dict)
    screenshot: bytes = b""


class _Pipe:
    def __init__(self, proc: subprocess.Popen[bytes], write_fd: int, read_fd: int) -> None:
        self.proc, self.write_fd, self.read_fd = proc, write_fd, read_fd
        self.buf = b""
        self.next_id = 0
        self.events: list[dict[str, Any]] = []

    def _read_message(self, deadline: float) -> dict[str, Any]:
        while b"\0" not in self.buf:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self.read_fd], [], [], left)[0]:
                raise TimeoutError("chromium did not answer in time")
            chunk = os.read(self.read_fd, 1 << 20)
            if not chunk:
                raise RuntimeError("chromium closed the DevTools pipe")
            self.buf += chunk
        raw, self.buf = self.buf.split(b"\0", 1)
        return json.loads(raw)  # type: ignore[no-any-return]

    def call(self, method: str, session: str | None = None, timeout: float = 30,
             **params: Any) -> dict[str, Any]:
        self.next_id += 1
        msg: dict[str, Any] = {"id": self.next_id, "method": method, "params": params}
        if session:
            msg["sessionId"] = session
        os.write(self.write_fd, json.dumps(msg).encode() + b"\0")
        deadline = time.monotonic() + timeout
        while True:
            reply = self._read_message(deadline)
            if reply.get("id") == self.next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})  # type: ignore[no-any-return]
            self.events.append(reply)

    def wait_for(self, method: str, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        if any(e.get("method") == method for e in self.events):
            return
        while True:
            msg = self._read_message(deadline)
            self.events.append(msg)
            if msg.get("method") == method:
                return


def _describe(event: dict[str, Any]) -> str | None:
    method, p = event.get("method"), event.get("params", {})
    if method == "Runtime.exceptionThrown":
        d = p["exceptionDetails"]
        return f"exception: {d.get('exception', {}).get('description') or d.get('text')}"
    if method == "Runtime.consoleAPICalled" and p.get("type") in ("error", "assert", "warning"):
        return "console." + p["type"] + ": " + " ".join(
            str(a.get("value", a.get("description", ""))) for a in p.get("args", []))
    if method == "Log.entryAdded" and p["entry"]["level"] in ("error", "warning"):
        return f"log {p['entry']['level']}: {p['entry']['text']}"
    return None


def load(page: Path, expressions: dict[str, str] | None = None, *, screenshot: bool = False,
         size: tuple[int, int] = (1280, 800), timeout: float = 60) -> PageRun:
    """Load ``page`` in headless Chromium; evaluate ``expressions`` (name -> JS) once loaded."""
    to_chrome_r, to_chrome_w = os.pipe()
    from_chrome_r, from_chrome_w = os.pipe()

    def wire() -> None:  # in the child: the protocol wants fds 3 (in) and 4 (out)
        # dup first: a pipe end may already be fd 3 or 4, and dup2 onto itself would keep it
        # close-on-exec
        a, b = os.dup(to_chrome_r), os.dup(from_chrome_w)
        os.dup2(a, 3)
        os.dup2(b, 4)

    with tempfile.TemporaryDirectory(prefix="kg-chromium-") as profile:
        proc = subprocess.Popen(
            [CHROMIUM, "--headless", "--remote-debugging-pipe", "--no-sandbox", "--disable-gpu",
             "--no-first-run", "--no-default-browser-check", "--disable-extensions",
             "--disable-background-networking", f"--user-data-dir={profile}",
             f"--window-size={size[0]},{size[1]}", "about:blank"],
            preexec_fn=wire, close_fds=False, stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(to_chrome_r)
        os.close(from_chrome_w)
        pipe = _Pipe(proc, to_chrome_w, from_chrome_r)
        run = PageRun()
        try:
            target = pipe.call("Target.createTarget", url="about:blank", timeout=timeout)
            session = pipe.call("Target.attachToTarget", targetId=target["targetId"],
                                flatten=True)["sessionId"]
            for domain in ("Runtime", "Log", "Page", "Network"):
                pipe.call(f"{domain}.enable", session)
            pipe.call("Emulation.setDeviceMetricsOverride", session, width=size[0],
                      height=size[1], deviceScaleFactor=1, mobile=False)
            pipe.events.clear()
            pipe.call("Page.navigate", session, url=page.resolve().as_uri())
            pipe.wait_for("Page.loadEventFired", timeout)
            for name, expr in (expressions or {}).items():
                res = pipe.call("Runtime.evaluate", session, expression=expr, returnByValue=True)
                if "exceptionDetails" in res:
                    raise RuntimeError(f"{name}: {res['exceptionDetails']}")
                run.values[name] = res["result"].get("value")
            if screenshot:
                shot = pipe.call("Page.captureScreenshot", session, format="png")
                run.screenshot = base64.b64decode(shot["data"])
            for ev in pipe.events:
                text = _describe(ev)
                if text:
                    run.errors.append(text)
                if ev.get("method") == "Network.requestWillBeSent":
                    run.requests.append(ev["params"]["request"]["url"])
            try:
                pipe.call("Browser.close", timeout=10)
            except (RuntimeError, TimeoutError):
                pass
        finally:
            os.close(to_chrome_w)
            os.close(from_chrome_r)
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
    return run
