"""The report as a person sees it: ``report.html`` of a table run, laid out by headless
Chromium in a 1280 x 800 window, holds its plots on the first screen, before any table
(issue 23, item 8). Skipped where no ``chromium`` or ``chromium-browser`` is on PATH
(Debian's ``chromium`` package provides it); the order of the page is also checked without
a browser in ``tests/unit/report/test_page.py``."""

from __future__ import annotations

import json
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

from tests.clirun import numpynn, ok

WIDTH, HEIGHT = 1280, 800
PLOTS = ("loss.svg", "accuracy.svg", "confusion.svg")

#: run by the probe page (a copy of the report, never the report itself): the box of each
#: figure and table once everything has loaded, written into the DOM that --dump-dom prints
PROBE = """<script>
window.addEventListener("load", () => {
  const boxes = [...document.querySelectorAll("figure.plot img, table")].map(e => {
    const b = e.getBoundingClientRect();
    return {what: e.getAttribute("src") || e.className, top: b.top, bottom: b.bottom,
            width: b.width, height: b.height};
  });
  document.body.setAttribute("data-boxes", JSON.stringify(boxes));
});
</script>"""


def browser() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


class _Body(HTMLParser):
    boxes: str | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "body":
            self.boxes = dict(attrs).get("data-boxes")


def layout(page: Path, exe: str) -> list[dict]:
    """The boxes of the page's figures and tables in a WIDTH x HEIGHT window."""
    probe = page.with_name("probe.html")
    probe.write_text(page.read_text(encoding="utf-8").replace("</body>", PROBE + "</body>"),
                     encoding="utf-8")
    proc = subprocess.run(
        [exe, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
         f"--window-size={WIDTH},{HEIGHT}", "--virtual-time-budget=10000", "--dump-dom",
         probe.as_uri()], capture_output=True, text=True, timeout=180)
    parser = _Body()
    parser.feed(proc.stdout)
    assert parser.boxes, f"no layout from {exe} (exit {proc.returncode}): {proc.stderr[-2000:]}"
    return json.loads(parser.boxes)


def test_the_first_screen_of_the_report_holds_the_plots(tmp_path):
    exe = browser()
    if exe is None:
        pytest.skip("no chromium or chromium-browser on PATH (Debian's chromium package)")
    rows = ["size,weight,colour,kind"] + [
        f"{i % 7 + 0.5},{(i * 13) % 11},{('red', 'green', 'blue')[i % 3]},{'abc'[i % 3]}"
        for i in range(150)]
    (tmp_path / "t.csv").write_text("\n".join(rows) + "\n")
    ok(numpynn("train", "--data", "t.csv", "--label-column", "kind", "--epochs", "5",
               "--out", "run", "--quiet", cwd=tmp_path))
    boxes = {b["what"]: b for b in layout(tmp_path / "run" / "report.html", exe)}
    for name in PLOTS:
        box = boxes[name]
        assert box["width"] >= 300 and box["height"] >= 200, box  # drawn, and large enough
        assert 0 <= box["top"] and box["bottom"] <= HEIGHT, f"{name} is not on the first screen"
    tables = [b for b in boxes.values() if not b["what"].endswith(".svg")]
    assert tables and min(t["top"] for t in tables) >= max(boxes[n]["bottom"] for n in PLOTS)
