"""`make screenshots`: PNGs of the sample blog for the README, taken in Debian's Chromium.

The home page, the richest post and its review history, in light and dark, on a desktop
(1280×800) and a phone (390×844), written to docs/screenshots/<page>-<scheme>-<device>.png; and a
pull request's status comment as GitHub shows it (comment_shot.py, docs/screenshots/status-comment.png).
"""
from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from . import comment_shot, harness

DEVICES = {"desktop": {"viewport": {"width": 1280, "height": 800}},
           "phone": {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True,
                     "device_scale_factor": 2}}
SCHEMES = ("light", "dark")


def pages(site: Path) -> dict[str, str]:
    post = harness.richest_post(site)
    return {"home": "", "post": post, "reviews": post + "reviews/"}


def shoot(site: Path, out: Path) -> list[Path]:
    from playwright.sync_api import sync_playwright

    out.mkdir(parents=True, exist_ok=True)
    written = []
    with harness.serve(site) as base, sync_playwright() as p:
        browser = harness.launch(p)
        for device, options in DEVICES.items():
            for scheme in SCHEMES:
                context = browser.new_context(color_scheme=scheme, **options)
                page = context.new_page()
                for name, path in pages(site).items():
                    page.goto(base + path, wait_until="networkidle")
                    target = out / f"{name}-{scheme}-{device}.png"
                    page.screenshot(path=str(target), animations="disabled", caret="hide")
                    written.append(target)
                context.close()
        browser.close()
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=harness.ROOT / "docs" / "screenshots")
    args = parser.parse_args(argv)
    if not Path(harness.CHROMIUM).exists():
        print(f"error: {harness.CHROMIUM} is missing (apt-get install chromium)", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory(prefix="peerpress-shots-") as tmp:
        blog = harness.copy_sample(Path(tmp) / "blog")
        site = harness.build(blog, Path(tmp) / "site")
        for path in [*shoot(site, args.out), comment_shot.shoot(args.out, Path(tmp))]:
            print(f"wrote {path.relative_to(harness.ROOT) if path.is_relative_to(harness.ROOT) else path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
