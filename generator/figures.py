"""Numbered figures with captions written in Markdown:

    ::: figure
    ![12-lead ECG with ST elevation in II, III and aVF](inferior-stemi.png)
    Inferior STEMI: ST elevation in the **inferior leads**, reciprocal depression in aVL.
    :::

The image (or images) come first; everything after them is the caption. Captioned figures are
numbered in order ("Figure 1.") and get an id (`#figure-1`) for links. A native
`<figure>`/`<figcaption>` pair is what screen readers announce as a figure with its caption.

Raw-HTML figures (what WordPress and Hugo exports contain) stay as written, but Markdown inside
their `<figcaption>` is rendered as inline Markdown: CommonMark never reads Markdown inside an
HTML block, so `*red*` would otherwise show its stars. They are not numbered.
"""
from __future__ import annotations

import re

from markdown_it.token import Token
from mdit_py_plugins.container import container_plugin

from .errors import warning
from .mdtokens import walk


def figure_plugin(md) -> None:
    md.use(container_plugin, "figure", render=_render_container)
    md.core.ruler.after("inline", "figures", _figures)
    md.core.ruler.after("figures", "raw_captions", _raw_captions)
    md.add_render_rule("figcaption_open", _render_figcaption)
    md.add_render_rule("figcaption_close", lambda self, tokens, idx, options, env: "</figcaption>\n")


def _render_container(self, tokens, idx, options, env) -> str:
    token = tokens[idx]
    if token.nesting == -1:
        return "</figure>\n"
    number = (token.meta or {}).get("number")
    return f'<figure class="figure" id="figure-{number}">\n' if number else '<figure class="figure">\n'


def _render_figcaption(self, tokens, idx, options, env) -> str:
    number = tokens[idx].meta["number"]
    return f'<figcaption><span class="figure-label">Figure {number}.</span> '


def _figures(state) -> None:
    """Number the figures; the image paragraph loses its <p>, the rest becomes the <figcaption>."""
    tokens, env = state.tokens, state.env
    lines = {id(t): line for t, line in walk(tokens, env.get("line_offset", 0))}
    count, out, i = 0, [], 0
    while i < len(tokens):
        tok = tokens[i]
        if tok.type != "container_figure_open":
            out.append(tok)
            i += 1
            continue
        close = _closing(tokens, i)
        inner = tokens[i + 1:close]
        caption = _caption_start(inner)
        if caption is None:
            env.setdefault("problems", []).append(warning(
                env.get("path", ""), lines[id(tok)], "a figure without an image",
                "start the ::: figure block with an image: ![what it shows](file.png)"))
        elif caption < len(inner):
            count += 1
            tok.meta = {**(tok.meta or {}), "number": count}
        else:
            env.setdefault("problems", []).append(warning(
                env.get("path", ""), lines[id(tok)], "a figure without a caption",
                "write the caption on the line after the image, inside the ::: figure block"))
        out += [tok, *_arrange(inner, caption, count if tok.meta and tok.meta.get("number") else 0), tokens[close]]
        i = close + 1
    state.tokens = out


CAPTION_RE = re.compile(r"(<figcaption\b[^>]*>)(.*?)(</figcaption\s*>)", re.DOTALL | re.IGNORECASE)
MARKDOWN_RE = re.compile(r"[*_`]|\[[^\]\n]+\]\(")


def _raw_captions(state) -> None:
    for token in state.tokens:
        if token.type == "html_block" and "figcaption" in token.content.lower():
            token.content = CAPTION_RE.sub(lambda m: _inline_caption(state.md, m), token.content)


def _inline_caption(md, m: re.Match) -> str:
    inner = m.group(2)
    if not MARKDOWN_RE.search(inner):
        return m.group(0)
    # A fresh env: a caption's footnotes or citations must not disturb the post's own numbering.
    return m.group(1) + md.renderInline(" ".join(inner.split()), {}) + m.group(3)


def _closing(tokens, start: int) -> int:
    depth = 0
    for j in range(start, len(tokens)):
        if tokens[j].type == "container_figure_open":
            depth += 1
        elif tokens[j].type == "container_figure_close":
            depth -= 1
            if depth == 0:
                return j
    return len(tokens) - 1


def _caption_start(inner: list) -> int | None:
    """Index in `inner` after the image paragraph, or None if it does not start with one.

    An image paragraph followed directly by caption text on the next line is split in two
    (markdown-it reads both lines as one paragraph)."""
    if len(inner) < 3 or inner[0].type != "paragraph_open" or inner[1].type != "inline":
        return None
    children = inner[1].children or []
    first_text = next((k for k, c in enumerate(children) if c.type not in ("image", "softbreak", "hardbreak")
                       and not (c.type == "text" and not c.content.strip())), len(children))
    if first_text == 0 or not any(c.type == "image" for c in children[:first_text]):
        return None
    if first_text < len(children):
        _split(inner, first_text)
    return 3


def _split(inner: list, at: int) -> None:
    """[p_open, inline(images + caption), p_close] → image paragraph + caption paragraph."""
    p_open, inline, p_close = inner[0], inner[1], inner[2]
    images, rest = inline.children[:at], inline.children[at:]
    while rest and rest[0].type in ("softbreak", "hardbreak"):
        rest = rest[1:]
    # The caption's first line, for messages: the image lines and the breaks after them.
    skipped = sum(c.type in ("softbreak", "hardbreak") for c in inline.children[:len(inline.children) - len(rest)])
    where = [inline.map[0] + skipped, inline.map[1]] if inline.map else None
    caption = Token("inline", "", 0, children=rest, content="".join(c.content for c in rest),
                    level=inline.level, map=where)
    inline.children = [c for c in images if c.type == "image"]
    inner[3:3] = [_copy(p_open), caption, _copy(p_close)]


def _copy(token: Token) -> Token:
    return Token(token.type, token.tag, token.nesting, level=token.level, block=True, map=token.map)


def _arrange(inner: list, caption: int | None, number: int) -> list:
    if caption is None:
        return inner
    inner[0].hidden = inner[2].hidden = True  # the images sit directly in <figure>
    body = inner[caption:]
    if not body:
        return inner
    if len(body) == 3 and body[0].type == "paragraph_open":
        body[0].hidden = body[2].hidden = True  # a one-paragraph caption needs no <p>
    opening = Token("figcaption_open", "figcaption", 1, meta={"number": number}, block=True)
    return [*inner[:caption], opening, *body, Token("figcaption_close", "figcaption", -1, block=True)]
