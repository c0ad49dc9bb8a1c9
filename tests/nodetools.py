"""Running the npm tools of tests/browser/package-lock.json (citeproc-js, citation-js) from
tests outside the browser suite: installed once with `npm ci`, skipped with the reason when
node or npm is missing (CI installs them: .ci/run)."""
from __future__ import annotations

import fcntl
import json
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
PACKAGES = HERE / "browser"
NODE_MODULES = PACKAGES / "node_modules"
NEEDED = ("citeproc", "@citation-js/core", "@citation-js/plugin-bibtex", "@citation-js/plugin-ris")


def node_modules() -> Path:
    """tests/browser/node_modules with the packages above, installed from the lockfile if missing."""
    if not shutil.which("node") or not shutil.which("npm"):
        pytest.skip("node and npm are not installed")
    with open(Path(tempfile.gettempdir()) / "peerpress-npm-install.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # xdist workers and the browser suite may install at once
        if not all((NODE_MODULES / name / "package.json").is_file() for name in NEEDED):
            done = subprocess.run(["npm", "ci", "--prefix", str(PACKAGES), "--no-audit", "--no-fund",
                                   "--loglevel=error"], capture_output=True, text=True)
            if done.returncode != 0:
                raise RuntimeError(f"npm ci in {PACKAGES} failed:\n{done.stdout}\n{done.stderr}")
    return NODE_MODULES


def run_node(script: str, payload: dict) -> object:
    """Run tests/<script> with `payload` (plus node_modules) as JSON on stdin; its JSON output."""
    data = dict(payload, node_modules=str(node_modules()))
    done = subprocess.run(["node", str(HERE / script)], input=json.dumps(data), capture_output=True, text=True,
                          timeout=300)
    if done.returncode != 0:
        raise RuntimeError(f"node {script} failed:\n{done.stderr}")
    return json.loads(done.stdout)
