"""What a migration leaves behind in a body, found with the line it is on: template tags
(Jekyll/Liquid `{% … %}` and `{{ … }}`, Hugo `{{< … >}}` shortcodes), WordPress shortcodes
(`[caption …]`), and footnote references without a definition and definitions nobody refers
to. Code is never searched."""
from __future__ import annotations

import re

from .errors import warning
from .mdtokens import walk

TEMPLATE_RE = re.compile(r"\{\{[<%].*?[>%]\}\}|\{%.*?%\}|\{\{.*?\}\}", re.DOTALL)
# WordPress's own shortcodes and the common plugin ones, opening or closing; any other
# `[name key="value"]` is a shortcode too (ordinary bracketed text has no key="value").
SHORTCODE_RE = re.compile(
    r"\[/?(?:caption|wp_caption|gallery|embed|audio|video|playlist|youtube|vimeo|sourcecode|code|latex|"
    r"contact-form(?:-\d+)?|su_\w+|et_pb_\w+|vc_\w+)\b[^\]\n]*\]"
    r"|\[[a-z][\w-]*(?:\s+[\w-]+=[\"“”'‘’][^\]\n]*)+\]")
MISSING_FOOTNOTE_RE = re.compile(r"\[\^([^\]\s]+)\]")
SEARCHED = ("text", "html_inline", "html_block")


def leftovers_plugin(md) -> None:
    # Before footnote_tail, which drops the definitions nobody refers to.
    md.core.ruler.before("footnote_tail", "leftovers", _leftovers)


def _leftovers(state) -> None:
    env = state.env
    problems = env.setdefault("problems", [])
    path = env.get("path", "")
    refs = env.get("footnotes", {}).get("refs", {})
    for token, line in walk(state.tokens, env.get("line_offset", 0)):
        if token.type == "footnote_reference_open" and refs.get(":" + token.meta["label"], -1) < 0:
            label = token.meta["label"]
            problems.append(warning(path, line, f"footnote [^{label}] is defined but never referred to",
                                    f"refer to it with [^{label}] in the text, or delete the definition"))
        if token.type not in SEARCHED:
            continue
        problems += _in_text(token, path, line)


def _in_text(token, path: str, line: int) -> list:
    found = []
    text = token.content
    for m in TEMPLATE_RE.finditer(text):
        found.append(warning(path, line + text.count("\n", 0, m.start()), f"leftover template tag '{_short(m[0])}'",
                             "replace it with Markdown (a link, an image, a ::: figure or ::: note block) "
                             "or delete it"))
    for m in SHORTCODE_RE.finditer(text):
        found.append(warning(path, line + text.count("\n", 0, m.start()), f"leftover shortcode '{_short(m[0])}'",
                             "replace it with Markdown (an image, a ::: figure block, a link) or delete it"))
    if token.type == "text":
        for m in MISSING_FOOTNOTE_RE.finditer(text):
            found.append(warning(path, line, f"footnote [^{m[1]}] has no definition",
                                 f"add a line '[^{m[1]}]: the note' at the end of the post"))
    return found


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= 50 else text[:47] + "…"
