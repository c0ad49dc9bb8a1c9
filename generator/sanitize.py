"""URL and CSS rules for raw HTML: what nh3's allow-lists cannot see.

nh3 (ammonia) checks the scheme of `href` and `src`, but not the URLs inside `srcset`, nor CSS:
a `style` attribute or a `<style>` element can carry `url(javascript:…)`, `@import` or
`expression(…)`. markup.py hands nh3 `attribute()` as its attribute filter and passes the
cleaned HTML through `style_elements()`. CSS is read with tinycss2 (a tokenizer that follows the
CSS Syntax spec, escapes and comments included) and only declarations of presentational
properties whose URLs are http(s) or relative survive; everything else is dropped.
"""
from __future__ import annotations

import re

import tinycss2

URL_SCHEMES = frozenset({"http", "https", "mailto", "tel"})
CSS_URL_SCHEMES = frozenset({"http", "https"})
SCHEME_RE = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.\-]*):")
# Attributes whose value is one URL (nh3 checks some of these; checking again costs nothing).
URL_ATTRIBUTES = frozenset({"href", "src", "poster", "cite", "action", "formaction", "background", "data",
                            "longdesc", "ping", "xlink:href", "manifest", "codebase", "archive"})
SRCSET_ATTRIBUTES = frozenset({"srcset", "imagesrcset"})

# Presentational properties, by name or family prefix. Not listed, so dropped: behavior,
# -moz-binding, and anything a browser might one day run or fetch outside url().
PROPERTIES = frozenset({
    "color", "background", "display", "float", "clear", "width", "height", "margin", "padding", "border",
    "position", "top", "right", "bottom", "left", "z-index", "opacity", "visibility", "box-sizing",
    "box-shadow", "line-height", "letter-spacing", "word-spacing", "white-space", "vertical-align",
    "table-layout", "caption-side", "empty-cells", "cursor", "direction", "unicode-bidi", "writing-mode",
    "content", "quotes", "counter-reset", "counter-increment", "order", "gap", "row-gap", "column-gap",
    "aspect-ratio", "object-fit", "object-position", "transform", "transform-origin", "hyphens",
    "word-break", "overflow-wrap", "word-wrap", "tab-size", "filter", "clip-path", "mix-blend-mode",
    "isolation", "fill", "stroke", "stroke-width", "pointer-events", "user-select", "resize", "accent-color",
    "caret-color", "inset", "contain", "will-change", "orphans", "widows", "columns", "outline",
})
PREFIXES = ("background-", "border-", "margin-", "padding-", "font", "text-", "list-style", "flex", "grid",
            "align-", "justify-", "place-", "min-", "max-", "overflow", "column-", "outline-", "animation",
            "transition", "inset-", "scroll-margin", "scroll-padding", "break-", "page-break-", "font-variant")
VENDOR_RE = re.compile(r"^-(?:webkit|moz|ms|o)-")
FONT_FACE = frozenset({"src", "font-family", "font-weight", "font-style", "font-display", "font-stretch",
                       "unicode-range"})
NESTED_AT_RULES = frozenset({"media", "supports", "container", "layer", "keyframes", "-webkit-keyframes"})
URL_FUNCTIONS = frozenset({"url", "src", "image", "image-set", "-webkit-image-set", "cross-fade"})
STYLE_RE = re.compile(r'(<style(?:\s[^\s=>"]+="[^"]*")*\s*>)(.*?)(</style>)', re.S | re.I)


def url_ok(url: str, schemes: frozenset[str] = URL_SCHEMES) -> bool:
    """Relative, or one of `schemes`. Browsers ignore whitespace and control characters inside
    a scheme ("java\\tscript:"), so they are ignored here too."""
    compact = "".join(ch for ch in url if ch > " " and ch != "\x7f")
    m = SCHEME_RE.match(compact)
    return m is None or m.group(1).lower() in schemes


def attribute(tag: str, name: str, value: str) -> str | None:
    """nh3's attribute filter: the value, cleaned, or None to drop the attribute."""
    if name in URL_ATTRIBUTES:
        return value if url_ok(value) else None
    if name in SRCSET_ATTRIBUTES:
        return srcset(value)
    if name == "style":
        return style(value)
    return value


def srcset(value: str) -> str | None:
    """Candidates ("a.png 1x, b.png 2x") whose URL is allowed; None when none is."""
    candidates = _candidates(value)
    kept = [f"{url} {desc}".strip() for url, desc in candidates if url_ok(url)]
    if len(kept) == len(candidates):
        return value
    return ", ".join(kept) or None


def _candidates(value: str) -> list[tuple[str, str]]:
    """(URL, descriptors) pairs, split the way the HTML standard parses srcset: a URL is a run
    of non-space characters (it may contain commas, as data: URLs do), then descriptors up to a comma."""
    out, i, n = [], 0, len(value)
    while i < n:
        while i < n and (value[i].isspace() or value[i] == ","):
            i += 1
        start = i
        while i < n and not value[i].isspace():
            i += 1
        url = value[start:i]
        if not url:
            break
        if url.endswith(","):  # "a.png," has no descriptors
            out.append((url.rstrip(","), ""))
            continue
        desc_start = i
        while i < n and value[i] != ",":
            i += 1
        out.append((url, value[desc_start:i].strip()))
    return out


def style(value: str) -> str | None:
    """A `style` attribute with only safe declarations; the author's text when all are safe."""
    kept, changed = _declarations(tinycss2.parse_blocks_contents(value, skip_comments=True,
                                                                 skip_whitespace=True), PROPERTIES)
    if not changed:
        return value
    return _quote_lt("; ".join(kept)) or None


def stylesheet(css: str) -> str:
    """A `<style>` element's text with only safe rules and declarations."""
    out, changed = _rules(tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True))
    return _quote_lt("\n".join(out)) if changed else css


def style_elements(html: str) -> str:
    """Every `<style>` element of nh3's output with its CSS filtered (nh3 keeps its text as is)."""
    if "<style" not in html.lower():
        return html
    return STYLE_RE.sub(lambda m: m.group(1) + stylesheet(m.group(2)) + m.group(3), html)


def _rules(nodes) -> tuple[list[str], bool]:
    out, changed = [], False
    for node in nodes:
        text, dropped = _rule(node)
        if text is not None:
            out.append(text)
        changed = changed or dropped or text is None
    return out, changed


def _rule(node) -> tuple[str | None, bool]:
    """(the rule's safe text, whether anything was dropped); None drops the whole rule."""
    if node.type not in ("qualified-rule", "at-rule") or node.content is None or _unsafe(node.prelude):
        return None, True
    if node.type == "qualified-rule":
        return _block(tinycss2.serialize(node.prelude).strip(), node.content, PROPERTIES)
    if node.lower_at_keyword == "font-face":
        return _block("@font-face", node.content, FONT_FACE)
    if node.lower_at_keyword in NESTED_AT_RULES:
        inner, dropped = _rules(tinycss2.parse_rule_list(node.content, skip_comments=True, skip_whitespace=True))
        head = f"@{node.at_keyword} {tinycss2.serialize(node.prelude).strip()}"
        return head + " {\n" + "\n".join(inner) + "\n}", dropped
    return None, True  # @import, @namespace, @charset, unknown at-rules


def _block(head: str, content, allowed) -> tuple[str, bool]:
    kept, dropped = _declarations(tinycss2.parse_blocks_contents(content, skip_comments=True,
                                                                 skip_whitespace=True), allowed)
    return f"{head} {{ {'; '.join(kept)} }}", dropped


def _declarations(nodes, allowed) -> tuple[list[str], bool]:
    kept, changed = [], False
    for node in nodes:
        if node.type != "declaration" or not _allowed(node.lower_name, allowed) or _unsafe(node.value):
            changed = True
            continue
        important = " !important" if node.important else ""
        kept.append(f"{node.name}: {tinycss2.serialize(node.value).strip()}{important}")
    return kept, changed


def _allowed(name: str, allowed) -> bool:
    if name.startswith("--"):  # custom properties only hold values; their URLs are checked like any other
        return True
    bare = VENDOR_RE.sub("", name)
    return bare in allowed or (allowed is PROPERTIES and bare.startswith(PREFIXES))


def _unsafe(tokens) -> bool:
    """A URL outside http(s) or relative, or an IE `expression()`, anywhere in `tokens`."""
    for token in tokens or ():
        kind = token.type
        if kind == "error":  # a bad url(…) or string: browsers recover from it in ways not worth guessing
            return True
        if kind == "url" and not url_ok(token.value, CSS_URL_SCHEMES):
            return True
        if kind == "function":
            name = token.lower_name
            if name == "expression" or "script" in name:
                return True
            strings = [t.value for t in token.arguments if t.type == "string"] + [tinycss2.serialize(token.arguments)]
            if name in URL_FUNCTIONS and not all(url_ok(s, CSS_URL_SCHEMES) for s in strings):
                return True
            if _unsafe(token.arguments):
                return True
        elif kind in ("() block", "[] block", "{} block") and _unsafe(token.content):
            return True
    return False


def _quote_lt(css: str) -> str:
    """Rewritten CSS may hold a decoded "<" (from an escape such as \\3c): re-escape it, so it can
    never close the `<style>` element it goes back into."""
    return css.replace("<", "\\3c ")
