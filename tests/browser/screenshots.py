"""`make screenshots`: PNGs of the sample blog for the README and docs, taken in Debian's Chromium.

The home page, the richest post, its review history and the site feed shown as a page, in light and
dark, on a desktop (1280×800) and a phone (390×844), written to docs/screenshots/<page>-<scheme>-<device>.png;
and the post as printed to A4 PDF, its pages side by side, in docs/screenshots/post-print.png
(rendered with pdftoppm from poppler-utils); and a pull request's status comment as GitHub shows it
(comment_shot.py, docs/screenshots/status-comment.png).
"""
from __future__ import annotations

import argparse
import shutil
import subprocess
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
    return {"home": "", "post": post, "reviews": post + "reviews/", "feed": "feed.xml"}


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
                    page.goto(base + path, wait_until="load")
                    page.evaluate("() => document.fonts.ready")
                    # Chromium's own notice that XSLT will be removed is not part of the page.
                    page.evaluate("() => document.querySelector('xslt-warning-banner')?.remove()")
                    target = out / f"{name}-{scheme}-{device}.png"
                    page.screenshot(path=str(target), animations="disabled", caret="hide")
                    written.append(target)
                context.close()
        context = browser.new_context()
        page = context.new_page()
        page.goto(base + pages(site)["post"], wait_until="load")
        page.evaluate("() => document.fonts.ready")
        written.append(printed(page.pdf(format="A4"), out / "post-print.png"))
        browser.close()
    return written


def printed(pdf: bytes, target: Path) -> Path:
    """The PDF's pages side by side on grey, as one PNG."""
    from PIL import Image

    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "post.pdf").write_bytes(pdf)
        subprocess.run(["pdftoppm", "-r", "60", "-png", "post.pdf", "page"], cwd=tmp, check=True)
        images = [Image.open(f) for f in sorted(Path(tmp).glob("page-*.png"))]
        gap = 16
        sheet = Image.new("RGB", (sum(i.width for i in images) + gap * (len(images) + 1),
                                  max(i.height for i in images) + 2 * gap), "#8a8f98")
        x = gap
        for image in images:
            sheet.paste(image, (x, gap))
            x += image.width + gap
        sheet.save(target)
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=harness.ROOT / "docs" / "screenshots")
    args = parser.parse_args(argv)
    if not Path(harness.CHROMIUM).exists():
        print(f"error: {harness.CHROMIUM} is missing (apt-get install chromium)", file=sys.stderr)
        return 1
    if not shutil.which("pdftoppm"):
        print("error: pdftoppm is missing (apt-get install poppler-utils)", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory(prefix="peerpress-shots-") as tmp:
        blog = harness.copy_sample(Path(tmp) / "blog")
        site = harness.build(blog, Path(tmp) / "site")
        for path in [*shoot(site, args.out), comment_shot.shoot(args.out, Path(tmp))]:
            print(f"wrote {path.relative_to(harness.ROOT) if path.is_relative_to(harness.ROOT) else path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
