#!/usr/bin/env python3
"""The report page as a reader sees it: headless Chromium opens DIR/index.html from disk, and every
image must load (naturalWidth > 0) with no script or resource error; a screenshot is written.

usage: page_in_chromium.py MASSACT MODEL WORKDIR
Runs `MASSACT report MODEL --out WORKDIR/report` with small settings first. Exits 77 (skipped) when
no Chromium is installed (scripts/setup.sh installs Debian's `chromium`)."""
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

# Records, on the page itself, what loaded and what failed; --dump-dom prints it back.
CHECK = """<script>
window.addEventListener('error', e => {
  const root = document.documentElement;
  root.dataset.errors = (root.dataset.errors || '') + (e.message || ('failed: ' + (e.target.src || e.target.href))) + ';';
}, true);
window.addEventListener('load', () => {
  const images = [...document.images];
  document.documentElement.dataset.check = JSON.stringify({
    images: images.length,
    broken: images.filter(i => !i.complete || i.naturalWidth === 0).map(i => i.getAttribute('src'))});
});
</script>
"""


def chromium():
    for name in ("chromium", "chromium-browser", "google-chrome"):
        if shutil.which(name):
            return shutil.which(name)
    return None


def browse(browser, *args):
    command = [browser, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
               "--enable-logging=stderr", "--v=0", "--virtual-time-budget=10000", *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=120)


def main():
    massact, model, work = sys.argv[1], sys.argv[2], Path(sys.argv[3])
    browser = chromium()
    if browser is None:
        print("skipped: no chromium on PATH (scripts/setup.sh installs it)")
        return 77
    out = work / "report"
    shutil.rmtree(out, ignore_errors=True)
    subprocess.run([massact, "report", model, "--out", str(out), "--num-seqs", "2", "--seq-len",
                    "24", "--eval-seq-len", "24", "--max-windows", "2"], check=True,
                   stdout=subprocess.DEVNULL)
    page = (out / "index.html").read_text()
    checked = out / "checked.html"
    checked.write_text(page.replace("</head>", CHECK + "</head>", 1))

    run = browse(browser, "--dump-dom", checked.resolve().as_uri())
    found = re.search(r'data-check="([^"]*)"', run.stdout)
    assert found, f"the page never finished loading:\n{run.stdout[:2000]}\n{run.stderr[-2000:]}"
    check = json.loads(found.group(1).replace("&quot;", '"'))
    errors = re.search(r'data-errors="([^"]*)"', run.stdout)
    console = [line for line in run.stderr.splitlines() if "CONSOLE" in line]
    print(f"images: {check['images']}, broken: {check['broken']}")
    assert check["images"] == 6, check
    assert not check["broken"], check
    assert errors is None, f"errors on the page: {errors.group(1)}"
    assert not console, "console messages:\n" + "\n".join(console)

    shot = work / "screenshot.png"
    browse(browser, f"--screenshot={shot}", "--window-size=1100,2600",
           (out / "index.html").resolve().as_uri())
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", "no screenshot"
    print(f"screenshot: {shot}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
