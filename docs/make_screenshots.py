"""Rebuild docs/view.png and docs/report.png from examples/ in headless Chromium.

    .venv/bin/python docs/make_screenshots.py

The pages are the real `kg view` and `kg report` output; the browser is the test suite's
(tests/browser.py, Debian's chromium). Fails if a page logs an error.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

DOCS = Path(__file__).resolve().parent
ROOT = DOCS.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from click.testing import CliRunner  # noqa: E402

from browser import load  # noqa: E402
from kg.cli import cli  # noqa: E402

# hover an edge of the concept, so the picture shows the evidence tooltip
HOVER = """(() => {
  const e = Array.from(document.querySelectorAll('g.edge'))
    .find(g => g.querySelector('text').textContent === 'USES');
  const r = e.querySelector('line').getBoundingClientRect();
  e.dispatchEvent(new MouseEvent('mouseenter',
    {clientX: r.x + r.width / 2, clientY: r.y + r.height / 2}));
  return 1; })()"""


def kg(*args: str) -> None:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        store, view, report = f"{tmp}/store", Path(tmp, "view.html"), Path(tmp, "report.html")
        kg("build", str(ROOT / "examples"), "--store", store)
        kg("view", "spiking neural network", "--depth", "2", "--store", store, "--out", str(view))
        kg("report", "--store", store, "--out", str(report))
        for page, png, size, expr in ((view, "view.png", (1280, 800), {"hover": HOVER}),
                                      (report, "report.png", (1000, 1300), {})):
            run = load(page, expr, screenshot=True, size=size)
            assert not run.errors, run.errors
            (DOCS / png).write_bytes(run.screenshot)
            print(f"wrote docs/{png}", file=sys.stderr)


if __name__ == "__main__":
    main()
