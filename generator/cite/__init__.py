"""Citing a post: the "Cite this post" block, BibTeX/RIS/CSL-JSON exports, scholarly meta tags
and JSON-LD (Crossref deposits are in crossref.py; `peerpress cite` is commands/cite.py).

`csl`: the post as one CSL-JSON item, from which every format derives; `exports`: the files;
`meta`: <head> meta tags; `jsonld`: schema.org JSON-LD. This package's top level is what the
build and the templates use.
"""
from __future__ import annotations

import jinja2
from markupsafe import Markup

from ..model import Site
from .csl import DEFAULT_STYLES, STYLE_LABELS, approvals, authors, csl_item, formatted, other_styles, \
    post_url, settings, style_label
from .exports import EXPORTS, bibtex, csl_json, export_links, exports, outputs, ris
from .jsonld import json_ld, json_ld_data, review_ld, script_json
from .meta import head_meta, image_url
from .reviews import all_reviews, citable_reviews, review_doi, review_export_links, review_formatted, \
    review_head_meta, review_outputs, reviewer

__all__ = ["DEFAULT_STYLES", "EXPORTS", "STYLE_LABELS", "approvals", "authors", "bibtex", "csl_item", "csl_json",
           "export_links", "exports", "formatted", "head_meta", "image_url", "json_ld", "json_ld_data",
           "other_styles", "outputs", "post_url", "register", "all_reviews", "citable_reviews", "review_ld",
           "review_doi", "review_outputs", "ris",
           "settings", "style_label"]


def register(env: jinja2.Environment, site: Site) -> None:
    """Jinja globals for partials/cite.html and partials/scholar_meta.html."""
    env.globals.update(
        cite_formatted=lambda post, style=None, fmt="html": (
            Markup(formatted(site, post, style or settings(site)["default_style"], "html")) if fmt == "html"
            else formatted(site, post, style or settings(site)["default_style"], "text")),
        cite_default_style=lambda: settings(site)["default_style"],
        cite_other_styles=lambda: other_styles(site),
        cite_style_label=style_label,
        cite_exports=lambda post: export_links(site, post),
        cite_head_meta=lambda post: head_meta(site, post),
        cite_json_ld=lambda post: Markup(json_ld(site, post)),
        cite_reviews=lambda post: citable_reviews(site, post),
        cite_reviewer=lambda review: reviewer(site, review),
        cite_review_doi=lambda review: review_doi(site, review),
        cite_review_formatted=lambda review, style=None: Markup(
            review_formatted(site, review, style or settings(site)["default_style"], "html")),
        cite_review_exports=lambda review: review_export_links(site, review),
        cite_review_head_meta=lambda review: review_head_meta(site, review),
        cite_review_json_ld=lambda review: Markup(script_json(review_ld(site, review))),
    )
