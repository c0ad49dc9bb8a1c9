"""Markdown → HTML: markdown-it-py with mdit-py-plugins, Pygments, anchors, callouts, citations."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from html import escape

import nh3
from markdown_it import MarkdownIt
from mdit_py_plugins.anchors import anchors_plugin
from mdit_py_plugins.container import container_plugin
from mdit_py_plugins.deflist import deflist_plugin
from mdit_py_plugins.footnote import footnote_plugin
from mdit_py_plugins.tasklists import tasklists_plugin
from pygments import highlight as pygments_highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import get_lexer_by_name
from pygments.util import ClassNotFound

from . import figures, headings, leftovers, limits, links, references, texmath
from . import sanitize as sanitizing  # markup.sanitize() is the function below
from .errors import Problem
from .model import Config, Heading

# Callout containers: `::: name [optional title]` ... `:::`.
CALLOUTS = {"note": "Note", "tip": "Tip", "warning": "Warning", "key-points": "Key points",
            "pearl": "Clinical pearl"}
FORMATTER = HtmlFormatter(nowrap=True)
WORD_RE = re.compile(r"\w+(?:['’-]\w+)*")

# What survives sanitising (review texts always; posts when raw_html is "sanitize").
SAFE_ATTRIBUTES = {"*": {"class", "id", "title", "lang", "dir", "aria-label", "aria-hidden", "role"},
                   "a": {"href"}, "img": {"src", "alt", "width", "height", "loading"},
                   "ol": {"start"}, "td": {"colspan", "rowspan", "style"},
                   "th": {"colspan", "rowspan", "style", "scope"},
                   "input": {"type", "checked", "disabled"}, "pre": {"tabindex"}, "div": {"tabindex"}}
SAFE_TAGS = nh3.ALLOWED_TAGS | {"input", "section", "aside", "details", "summary", "figure", "figcaption",
                                "mark", "sup", "sub", "label"}
# Raw HTML in posts under the default `allow` policy keeps the author's markup (embeds, media,
# inline styles, data- attributes) but loses whatever could run script: <script>, event
# handlers, srcdoc, and URLs that are not http(s), mailto, tel or relative.
ALLOW_TAGS = SAFE_TAGS | {"iframe", "video", "audio", "source", "track", "picture", "style", "caption", "tfoot"}
ALLOW_ATTRIBUTES = {
    **{tag: set(attrs) for tag, attrs in nh3.ALLOWED_ATTRIBUTES.items()},
    **{tag: set(attrs) for tag, attrs in SAFE_ATTRIBUTES.items()},
    "*": SAFE_ATTRIBUTES["*"] | {"style", "hidden", "tabindex", "translate", "width", "height"},
    "a": {"href", "hreflang", "rel", "target", "download", "type", "name"},
    "img": {"src", "srcset", "sizes", "alt", "width", "height", "loading", "decoding", "align"},
    "iframe": {"src", "allow", "allowfullscreen", "loading", "referrerpolicy", "sandbox", "name", "frameborder"},
    "video": {"src", "poster", "controls", "autoplay", "loop", "muted", "playsinline", "preload"},
    "audio": {"src", "controls", "autoplay", "loop", "muted", "preload"},
    "source": {"src", "srcset", "type", "media", "sizes"},
    "track": {"src", "kind", "srclang", "label", "default"},
    "details": {"open"}, "ol": {"start", "reversed", "type"}, "li": {"value"}, "time": {"datetime"},
}
URL_SCHEMES = {"http", "https", "mailto", "tel"}
# Link destinations in Markdown syntax that never become links, whatever the raw_html policy.
BAD_PROTOCOL_RE = re.compile(r"^(?:javascript|vbscript|file|data):")


@dataclass
class Rendered:
    html: str
    toc: list[Heading] = field(default_factory=list)
    words: int = 0
    summary: str = ""
    references: list[dict] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    links: list[tuple[str, int]] = field(default_factory=list)  # (href, source line): checked by links.check


def highlight(code: str, lang: str, attrs: str) -> str:
    """Pygments with CSS classes; the theme ships light and dark styles for them."""
    lang = (lang or "").strip().split()[0] if lang else ""
    lexer = _lexer(lang)
    body = pygments_highlight(code, lexer, FORMATTER) if lexer else escape(code)
    label = escape(lang) or "text"
    # tabindex lets keyboard users scroll long lines (axe: scrollable-region-focusable).
    return (f'<pre class="highlight" tabindex="0" data-lang="{label}">'
            f'<code class="language-{label}">{body}</code></pre>\n')


@lru_cache(maxsize=256)
def _lexer(lang: str):
    if not lang:
        return None
    try:
        return get_lexer_by_name(lang)
    except ClassNotFound:
        return None


def _callout(name: str, label: str):
    def render(self, tokens, idx, options, env):
        token = tokens[idx]
        if token.nesting == 1:
            title = token.info.strip()[len(name):].strip() or label
            return (f'<aside class="callout callout-{name}" aria-label="{escape(title)}">\n'
                    f'<p class="callout-title">{escape(title)}</p>\n')
        return "</aside>\n"
    return render


def _label_permalinks(state) -> None:
    """Give each heading's "#" link an accessible name ("Link to section: Dosing")."""
    for tok in state.tokens:
        if tok.type != "inline" or not tok.children:
            continue
        links = [c for c in tok.children if c.type == "link_open" and c.attrGet("class") == "header-anchor"]
        if links:
            title = "".join(c.content for c in tok.children if c.type in ("text", "code_inline")).strip()
            links[0].attrSet("aria-label", f"Link to section: {title}")


def _table_open(self, tokens, idx, options, env):
    # Wide tables scroll inside their own box on phones instead of widening the page.
    return '<div class="table-wrap" role="region" aria-label="Table" tabindex="0">\n<table>\n'


def _table_close(self, tokens, idx, options, env):
    return "</table>\n</div>\n"


def _image(self, tokens, idx, options, env):
    tokens[idx].attrSet("loading", "lazy")
    tokens[idx].attrSet("decoding", "async")
    return self.image(tokens, idx, options, env)


@lru_cache(maxsize=4)
def parser(raw_html: bool) -> MarkdownIt:
    """One configured parser per process (building it is the costly part)."""
    md = MarkdownIt("commonmark", {"html": raw_html, "typographer": True, "highlight": highlight})
    md.enable(["table", "strikethrough", "replacements", "smartquotes"])
    md.use(footnote_plugin).use(deflist_plugin).use(tasklists_plugin, label=True)
    # Every level gets an id; a body `#` has been demoted by then (the title is the page's <h1>).
    md.use(headings.demote_plugin)
    md.use(anchors_plugin, min_level=2, max_level=6, permalink=True, permalinkSymbol="#",
           permalinkBefore=False, slug_func=headings.slug)
    md.core.ruler.after("anchor", "anchor_labels", _label_permalinks)
    # Before any plugin's core rule adds HTML tokens of its own (the "#" permalinks, task-list
    # checkboxes), note whether the author wrote raw HTML.
    md.core.ruler.after("inline", "raw_html_seen", _note_raw_html)
    for name, label in CALLOUTS.items():
        md.use(container_plugin, name, render=_callout(name, label))
    md.use(references.citations_plugin)
    md.use(texmath.math_plugin).use(figures.figure_plugin).use(leftovers.leftovers_plugin).use(links.links_plugin)
    md.add_render_rule("table_open", _table_open)
    md.add_render_rule("table_close", _table_close)
    md.add_render_rule("image", _image)
    md.validateLink = _validate_link
    return md


def _validate_link(url: str) -> bool:
    """Stricter than markdown-it's default, which lets data: images through."""
    return not BAD_PROTOCOL_RE.match(url.strip().lower())


def render(text: str, *, config: Config | None = None, path: str = "", line_offset: int = 0,
           bibliography: dict | None = None, raw_html: str = "allow", style: str = "") -> Rendered:
    """Render one Markdown body. `line_offset` is the number of file lines before `text`."""
    style = style or (config.extra["citation"]["default_style"] if config else "nlm-citation-sequence")
    too_deep = limits.markdown_depth(text, path, line_offset + 1)
    if too_deep:  # refused before parsing: deep nesting costs the parser quadratic time
        return Rendered("", problems=[too_deep])
    md = parser(raw_html != "escape")
    env = {"path": path, "line_offset": line_offset, "bibliography": bibliography or {},
           "cited": [], "problems": [], "style": style}
    tokens = md.parse(text, env)
    html = md.renderer.render(tokens, md.options, env)
    if env["cited"]:
        html += references.references_html(env["cited"], env["bibliography"], style)
    if raw_html == "sanitize":
        html = sanitize(html)
    elif raw_html == "allow" and env.get("raw_html_seen"):
        html = scrub(html)  # only when the author wrote raw HTML: other output is left byte for byte
    html = texmath.restore(html, env.get("math", []))  # MathML goes in after sanitising (texmath.py)
    toc, words, summary = _digest(tokens)
    cited = [env["bibliography"][k] for k in env["cited"] if k in env["bibliography"]]
    return Rendered(html, toc, words, summary, cited, env["problems"], env.get("links", []))


def sanitize(html: str) -> str:
    """Remove scripts, event handlers and dangerous URLs, keeping ordinary markup."""
    return nh3.clean(html, tags=SAFE_TAGS, attributes=SAFE_ATTRIBUTES, attribute_filter=sanitizing.attribute,
                     url_schemes=URL_SCHEMES, link_rel="noopener noreferrer nofollow")


def scrub(html: str) -> str:
    """The `allow` policy: the author's HTML stays, anything that runs script goes."""
    # srcset, style attributes and <style> elements: URLs and CSS nh3 does not look into (sanitize.py)
    return sanitizing.style_elements(nh3.clean(
        html, tags=ALLOW_TAGS, clean_content_tags={"script"}, attributes=ALLOW_ATTRIBUTES,
        attribute_filter=sanitizing.attribute, generic_attribute_prefixes={"data-", "aria-"},
        url_schemes=URL_SCHEMES, link_rel=None))


def _note_raw_html(state) -> None:
    state.env["raw_html_seen"] = any(t.type == "html_block" or any(c.type == "html_inline" for c in t.children or ())
                                     for t in state.tokens)


def _digest(tokens) -> tuple[list[Heading], int, str]:
    """Table of contents (every heading level), word count and the first paragraph, in one pass."""
    toc: list[Heading] = []
    words = 0
    summary = ""
    for i, tok in enumerate(tokens):
        if tok.type == "inline":
            words += len(WORD_RE.findall(tok.content))
            prev = tokens[i - 1]
            if prev.type == "heading_open":
                text = "".join(c.content for c in tok.children or [] if c.type in ("text", "code_inline"))
                toc.append(Heading(int(prev.tag[1]), text.strip(), prev.attrGet("id") or ""))
            elif not summary and prev.type == "paragraph_open" and tok.level == 1:
                summary = _plain(tok)
        elif tok.type in ("fence", "code_block"):
            words += len(WORD_RE.findall(tok.content)) // 3  # code reads faster than prose counts
    return toc, words, summary


def _plain(inline) -> str:
    text = "".join(c.content for c in inline.children or [] if c.type in ("text", "code_inline", "softbreak"))
    text = re.sub(r"\s+", " ", text).strip()
    return text if len(text) <= 280 else text[:277].rsplit(" ", 1)[0] + "…"


def pygments_css(light: str = "friendly", dark: str = "monokai") -> str:
    """Stylesheet for highlighted code: light by default, dark by preference or toggle."""
    light_css = HtmlFormatter(style=light).get_style_defs(".highlight")
    dark_rules = HtmlFormatter(style=dark).get_style_defs('[data-theme="dark"] .highlight')
    auto_dark = HtmlFormatter(style=dark).get_style_defs(':root:not([data-theme="light"]) .highlight')
    return (f"/* Pygments: {light} (light), {dark} (dark) */\n{light_css}\n{dark_rules}\n"
            f"@media (prefers-color-scheme: dark) {{\n{auto_dark}\n}}\n")
