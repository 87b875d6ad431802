"""Slider-to-pixels latency in a real browser (JupyterLab + Debian's Chromium).

    python tools/probe_latency.py [--notebook 01_preference_probability.ipynb] [--presses 40]

Starts JupyterLab headless on 127.0.0.1 over a temporary copy of ``notebooks/`` (outputs
cleared), runs the notebook, then presses ArrowRight on the first slider handle of the
first ``.rmteach-widget`` ``--presses`` times.  Each press is timed from the key event to
the figure's ``<img>`` showing new, decoded pixels plus two animation frames.  Prints the
median and the 90th percentile in ms (the machine's load is part of the figure: say so).
The kernel imports ``rmteach`` from ``PYTHONPATH``, so the same script measures any checkout.
Never ``playwright install``: it drives /usr/bin/chromium.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--no-first-run"]
PRESS_JS = """async (handle) => {
  const widget = handle.closest('.rmteach-widget');
  const img = widget.querySelector('.rmteach-figure');
  const before = img.src;
  const t0 = performance.now();
  handle.dispatchEvent(new KeyboardEvent('keydown', {key: 'ArrowRight', bubbles: true}));
  while (img.src === before) {
    await new Promise(r => setTimeout(r, 2));
    if (performance.now() - t0 > 5000) return -1;
  }
  await img.decode();
  await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
  return performance.now() - t0;
}"""


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notebook", default="01_preference_probability.ipynb")
    parser.add_argument("--presses", type=int, default=40)
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    tmp = Path(tempfile.mkdtemp(prefix="rmteach-latency-"))
    (tmp / "notebooks").mkdir()
    for path in (ROOT / "notebooks").glob("*.ipynb"):
        nb = nbformat.read(path, as_version=4)
        for cell in nb.cells:
            if cell.cell_type == "code":
                cell.outputs, cell.execution_count = [], None
        nbformat.write(nb, tmp / "notebooks" / path.name)
    settings = tmp / "settings" / "@jupyterlab" / "notebook-extension"
    settings.mkdir(parents=True)
    (settings / "tracker.jupyterlab-settings").write_text(json.dumps({"windowingMode": "none"}))
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = dict(os.environ, JUPYTERLAB_SETTINGS_DIR=str(tmp / "settings"),
               JUPYTERLAB_WORKSPACES_DIR=str(tmp / "ws"), JUPYTER_CONFIG_DIR=str(tmp / "cfg"),
               JUPYTER_RUNTIME_DIR=str(tmp / "rt"), MPLBACKEND="Agg")
    server = subprocess.Popen(
        [sys.executable, "-m", "jupyterlab", "--no-browser", "--ip=127.0.0.1",
         f"--port={port}", "--allow-root", "--IdentityProvider.token=",
         "--ServerApp.password=", "--ServerApp.disable_check_xsrf=True",
         f"--ServerApp.root_dir={tmp}"], cwd=tmp, env=env, stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(360):
            try:
                urllib.request.urlopen(f"{url}/api/status", timeout=2)
                break
            except OSError:
                time.sleep(0.25)
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path="/usr/bin/chromium", headless=True,
                                         args=ARGS)
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.set_default_timeout(120_000)
            page.goto(f"{url}/lab/tree/notebooks/{args.notebook}?reset")
            page.locator(".jp-StatusBar-TextItem", has_text="| Idle").wait_for()
            page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
            page.locator("li[data-command='runmenu:run-all']").click()
            handle = page.locator(".rmteach-widget .noUi-handle").first
            handle.wait_for()
            page.wait_for_timeout(3000)
            page.locator(".jp-StatusBar-TextItem", has_text="| Idle").wait_for()
            handle.scroll_into_view_if_needed()
            times = []
            for _ in range(args.presses):
                ms = handle.evaluate(PRESS_JS)
                if ms > 0:
                    times.append(ms)
                page.wait_for_timeout(60)
            browser.close()
        times.sort()
        p90 = times[int(0.9 * (len(times) - 1))]
        print(f"{args.notebook}: {len(times)} presses, median {statistics.median(times):.0f} ms,"
              f" p90 {p90:.0f} ms")
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
