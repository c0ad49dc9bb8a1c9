"""The Nu Html Checker (vnu-jar from npm, run with Java) finds no errors in any page of the built site.

Three builds are checked: the published site, the --drafts preview (status banners) and the site in the
clinic theme. The feed stylesheet (feeds/feed.xsl) must be well-formed XML. Warnings are
allowed but printed (pytest -s, or in the -ra summary when a test fails), so they stay visible.
"""
from __future__ import annotations

import json
import shutil
import subprocess
from collections import Counter

import pytest

from . import harness
from .conftest import require

pytestmark = [pytest.mark.xdist_group("browser")]


def run_vnu(*folders) -> list[dict]:
    cmd = ["java", "-jar", str(harness.VNU_JAR), "--format", "json", "--skip-non-html", *map(str, folders)]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    # vnu writes its JSON report to stderr and exits 1 when it found errors; anything else is a crash.
    try:
        return json.loads(done.stderr)["messages"]
    except (json.JSONDecodeError, KeyError):
        raise AssertionError(f"vnu crashed ({done.returncode}):\n{done.stdout}\n{done.stderr[-3000:]}") from None


def where(message: dict, roots) -> str:
    """"drafts/posts/x/index.html:12" from vnu's "file:/tmp/.../drafts/posts/x/index.html"."""
    path = message.get("url", "").removeprefix("file:").lstrip("/")
    for root in roots:
        prefix = str(root.parent).lstrip("/") + "/"
        path = path.removeprefix(prefix)
    return f"{path}:{message.get('lastLine', '?')}"


def test_nu_html_checker_reports_no_errors(site, drafts_site, clinic_site, node_modules):
    require(bool(shutil.which("java")), "java is not installed (apt-get install default-jre-headless)")
    roots = (site.root, drafts_site.root, clinic_site.root)
    checked = sum(1 for root in roots for p in root.rglob("*.html"))
    assert checked > 50, f"only {checked} HTML files were built"
    messages = run_vnu(*roots)
    warnings = [m for m in messages if m["type"] == "info" and m.get("subType") == "warning"]
    for text, count in sorted(Counter(m["message"] for m in warnings).items()):
        print(f"vnu warning ({count}x): {text}")
    errors = [f"{where(m, roots)}: {m['message']}  [{m.get('extract', '').strip()!r}]"
              for m in messages if m["type"] in ("error", "non-document-error")]
    assert errors == [], f"{len(errors)} HTML errors in {checked} files:\n" + "\n".join(errors[:40])
