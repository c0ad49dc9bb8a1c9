"""Citation exports of a post: BibLaTeX, RIS and CSL-JSON files beside each post page."""
from __future__ import annotations

import json
import re

from .. import urls
from ..model import Output, Person, Post, Site
from ..references import engine
from .csl import authors, csl_item, post_url

EXPORTS = {"cite.bib": "application/x-bibtex", "cite.ris": "application/x-research-info-systems",
           "cite.json": "application/vnd.citationstyles.csl+json"}


# --- exports: BibLaTeX, RIS, CSL-JSON --------------------------------------------------------

BIB_SPECIAL = {"\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "#": r"\#", "$": r"\$", "%": r"\%",
               "&": r"\&", "_": r"\_", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}"}


# BibTeX counts escaped braces too: an unbalanced \} in a title would end the field early and
# let the rest of the title add fields of its own. Unbalanced text gets brace commands instead.
UNBALANCED = {**BIB_SPECIAL, "{": r"\textbraceleft{}", "}": r"\textbraceright{}"}


_TRANSLATE = {table is BIB_SPECIAL: str.maketrans(table) for table in (BIB_SPECIAL, UNBALANCED)}


def bib_escape(value: str) -> str:
    value = " ".join(value.split())
    return value.translate(_TRANSLATE[_balanced(value)])


def _balanced(value: str) -> bool:
    if "{" not in value and "}" not in value:
        return True
    depth = 0
    for c in value:
        depth += {"{": 1, "}": -1}.get(c, 0)
        if depth < 0:
            return False
    return depth == 0


def bib_name(person: Person) -> str:
    """"van der Berg, Jan" (BibTeX reads the lower-case particle as the von part); single and
    institutional names are braced so BibTeX does not split them."""
    if person.family:
        family = bib_escape(person.family)
        if " and " in person.family or "," in person.family:
            family = "{" + family + "}"
        return f"{family}, {bib_escape(person.given)}" if person.given else family
    return "{" + bib_escape(person.name) + "}"


def bibtex(site: Site, post: Post) -> str:
    """BibLaTeX @online with the blog in `booktitle`: no BibTeX entry type is read as a blog post by
    citation-js (online → webpage) or Zotero (online → web page), and booktitle is the field both
    read as the container (the website's title); `organization` would become the publisher.
    The language is the BCP 47 code (`language`), which citation-js and Zotero copy as it is.
    Readers checked in tests/test_cite_readers.py; the choice is explained in docs/citations.md."""
    item = csl_item(site, post)
    fields = [("author", " and ".join(bib_name(p) for p in authors(site, post))),
              ("title", bib_escape(post.title)),
              ("booktitle", bib_escape(item["container-title"]))]
    if post.date:
        fields.append(("date", post.date.date().isoformat()))
    if post.doi:
        fields.append(("doi", bib_escape(engine.bare_doi(post.doi))))
    fields.append(("url", post_url(site, post)))
    if item.get("ISSN"):
        fields.append(("issn", bib_escape(item["ISSN"])))
    if item.get("language"):
        fields.append(("language", bib_escape(item["language"])))
    if post.tags:
        fields.append(("keywords", bib_escape(", ".join(post.tags))))
    if post.summary:
        fields.append(("abstract", bib_escape(post.summary)))
    return bib_entry("online", post.id, fields)


def bib_entry(kind: str, key: str, fields: list[tuple[str, str]]) -> str:
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields)
    return f"@{kind}{{{key},\n{body}\n}}\n"


def ris(site: Site, post: Post) -> str:
    """RIS with CRLF line ends, as the format specifies."""
    lines = [("TY", "BLOG")]
    for p in authors(site, post):
        lines.append(("AU", f"{p.family}, {p.given}" if p.family and p.given else (p.family or p.name)))
    lines += [("TI", post.title), ("T2", site.config.title)]
    if post.date:
        lines += [("PY", f"{post.date.year:04d}"), ("DA", post.date.strftime("%Y/%m/%d"))]
    if post.doi:
        lines.append(("DO", engine.bare_doi(post.doi)))
    lines.append(("UR", post_url(site, post)))
    if site.config.issn:
        lines.append(("SN", site.config.issn))
    lines.append(("LA", post.language or site.config.language))
    lines += [("KW", tag) for tag in post.tags]
    if post.summary:
        lines.append(("AB", post.summary))
    lines.append(("ER", ""))
    return ris_text(lines)


def ris_text(lines: list[tuple[str, str]]) -> str:
    return "".join(f"{tag}  - {_one_line(value)}\r\n" for tag, value in lines)


def _one_line(value: str) -> str:
    return re.sub(r"\s+", " ", value).strip()


def csl_json(site: Site, post: Post) -> str:
    return json.dumps([csl_item(site, post)], ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def exports(site: Site, post: Post) -> dict[str, bytes]:
    return {"cite.bib": bibtex(site, post).encode("utf-8"), "cite.ris": ris(site, post).encode("utf-8"),
            "cite.json": csl_json(site, post).encode("utf-8")}


def outputs(site: Site, memo=None) -> list[Output]:
    """posts/<id>/cite.bib, cite.ris and cite.json for every listed post (`memo(post, compute)`:
    incremental.Session.per_post, which keeps them across builds)."""
    out = []
    for post in sorted(site.listed, key=lambda p: p.id):
        made = memo(post, lambda post=post: exports(site, post)) if memo else exports(site, post)
        for name, data in made.items():
            out.append(Output(urls.post(post.id) + name, data))
    return out


def export_links(site: Site, post: Post) -> list[tuple[str, str, str]]:
    """(label, root-relative href, media type) for the download links."""
    labels = {"cite.bib": "BibTeX", "cite.ris": "RIS", "cite.json": "CSL-JSON"}
    return [(labels[name], urls.link(site.config, urls.post(post.id) + name), media)
            for name, media in EXPORTS.items()]
