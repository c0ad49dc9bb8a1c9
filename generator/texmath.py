"""TeX math → MathML at build time: no JavaScript, and formulas stay readable in feeds.

Four ways to write it: `$…$` and `\\(…\\)` inline, `$$…$$` and `\\[…\\]` displayed. Dollar signs
follow mdit-py-plugins' dollarmath rules against prices: no space inside the dollars and no
digit outside them, so "$5 and $10" stays text.
"""
from __future__ import annotations

import re
from functools import lru_cache

from latex2mathml.converter import convert
from lxml import etree
from mdit_py_plugins.dollarmath import dollarmath_plugin

from .errors import error
from .mdtokens import walk

MATHML = "{http://www.w3.org/1998/Math/MathML}"
# token type → displayed? (dollarmath's types; the bracket rules below reuse them)
MATH_TOKENS = {"math_inline": False, "math_inline_double": True, "math_block": True, "math_block_label": True}
# The rendered MathML goes into the page after sanitising, as a placeholder the sanitiser leaves
# alone (private-use characters): it is built here from parsed TeX and checked element by element.
PLACEHOLDER = "\ue000{}\ue001"
PLACEHOLDER_RE = re.compile("\ue000(\\d+)\ue001")
# "$20; US$ 30": inline dollars whose content starts with an amount and a gap are prices, not TeX.
PRICE_RE = re.compile(r"^\d[\d.,]*[;:,.]?\s")
# Converters such as turndown escape every square bracket ("see \\[1\\]"): `\\[…\\]` is a formula
# only when it holds something TeX-like (a command, sub/superscript, braces, an operator).
TEX_SIGNAL_RE = re.compile(r"[\\^_=+<>{}]|\d\s*[-*/]\s*\d|\n")
BAD_ATTRIBUTE_RE = re.compile(r"^(?:on|href$|src$|style$|xlink)", re.IGNORECASE)


def math_plugin(md) -> None:
    dollarmath_plugin(md, allow_space=False, allow_digits=False, double_inline=True, allow_blank_lines=False)
    md.inline.ruler.before("escape", "math_paren", _paren_inline)
    md.block.ruler.before("fence", "math_bracket", _bracket_block, {"alt": ["paragraph", "reference", "blockquote"]})
    md.core.ruler.push("math_to_mathml", _convert_all)
    for name in MATH_TOKENS:
        md.add_render_rule(name, _render)


def _paren_inline(state, silent: bool) -> bool:
    r"""`\(…\)` inline and `\[…\]` inside a paragraph (shown displayed)."""
    src, pos = state.src, state.pos
    opener = src[pos:pos + 2]
    if opener not in ("\\(", "\\["):
        return False
    closer = "\\)" if opener == "\\(" else "\\]"
    end = src.find(closer, pos + 2)
    if end < 0 or not src[pos + 2:end].strip():
        return False
    if opener == "\\[" and not TEX_SIGNAL_RE.search(src[pos + 2:end]):
        return False
    if not silent:
        token = state.push("math_inline" if opener == "\\(" else "math_inline_double", "math", 0)
        token.content = src[pos + 2:end]
        token.markup = opener
    state.pos = end + 2
    return True


def _bracket_block(state, start: int, end: int, silent: bool) -> bool:
    r"""`\[` at the start of a line, up to the line that ends with `\]`."""
    begin = state.bMarks[start] + state.tShift[start]
    if state.sCount[start] - state.blkIndent >= 4 or not state.src.startswith("\\[", begin):
        return False
    line, lines = start, []
    while line < end:
        text = state.src[state.bMarks[line] + state.tShift[line]:state.eMarks[line]]
        if line == start:
            text = text[2:]
        if text.rstrip().endswith("\\]"):
            lines.append(text.rstrip()[:-2])
            break
        if line > start and not text.strip():
            return False  # a blank line ends the attempt: TeX has no blank lines in a formula
        lines.append(text)
        line += 1
    else:
        return False
    if not TEX_SIGNAL_RE.search("\n".join(lines).strip()):
        return False
    if silent:
        return True
    token = state.push("math_block", "math", 0)
    token.block = True
    token.content = "\n".join(lines).strip()
    token.markup = "\\["
    token.map = [start, line + 1]
    state.line = line + 1
    return True


def _convert_all(state) -> None:
    """Every formula converted once, in document order; TeX that cannot be rendered is an error."""
    env = state.env
    rendered = env.setdefault("math", [])
    for token, line in walk(state.tokens, env.get("line_offset", 0)):
        if token.type not in MATH_TOKENS:
            continue
        if token.type == "math_inline" and token.markup == "$" and PRICE_RE.match(token.content):
            token.type, token.content = "text", f"${token.content}$"
            continue
        display = MATH_TOKENS[token.type]
        mathml, problem = to_mathml(token.content, display)
        if problem:
            env.setdefault("problems", []).append(error(
                env.get("path", ""), line, f"cannot render the TeX formula '{_short(token.content)}': {problem}",
                "check the braces and commands; latex2mathml supports most of LaTeX math mode"))
            mathml = f'<code class="math-error">{_escape(token.content)}</code>'
        token.meta = {**(token.meta or {}), "index": len(rendered)}
        rendered.append(f'<div class="math-display">{mathml}</div>\n' if token.block else mathml)


def _render(self, tokens, idx, options, env) -> str:
    return PLACEHOLDER.format(tokens[idx].meta["index"])


def restore(html: str, rendered: list[str]) -> str:
    """Put the MathML in place of its placeholders (after the page has been sanitised)."""
    if not rendered:
        return html
    return PLACEHOLDER_RE.sub(lambda m: rendered[int(m.group(1))] if int(m.group(1)) < len(rendered) else "", html)


@lru_cache(maxsize=4096)  # converting is most of a formula-heavy post's time; formulas repeat
def to_mathml(tex: str, display: bool) -> tuple[str, str]:
    """(MathML, "") or ("", what is wrong)."""
    try:
        raw = convert(tex.strip(), display="block" if display else "inline")
    except Exception as exc:  # latex2mathml raises its own exception types, and IndexError/KeyError on odd input
        return "", _describe(exc)
    if not raw.strip():
        return "", "it is empty"
    return _checked(raw)


def _checked(raw: str) -> tuple[str, str]:
    r"""latex2mathml copies `\text{…}` verbatim: keep only well-formed MathML, re-serialised."""
    try:
        root = etree.fromstring(raw.encode("utf-8"))
    except etree.XMLSyntaxError:
        return "", r"'<', '>' or '&' inside \text{} (write \lt, \gt or \& outside the text instead)"
    for el in root.iter():
        if not isinstance(el.tag, str) or not el.tag.startswith(MATHML):
            return "", r"HTML inside the formula (only TeX is allowed between the delimiters)"
        if any(BAD_ATTRIBUTE_RE.match(etree.QName(a).localname) for a in el.attrib):
            return "", "an attribute that is not allowed in MathML here"
    return etree.tostring(root, encoding="unicode"), ""


def _describe(exc: Exception) -> str:
    name = type(exc).__name__
    words = re.sub(r"(?<!^)(?=[A-Z])", " ", name.removesuffix("Error")).lower()
    detail = str(exc).strip()
    return f"{words}{': ' + detail if detail else ''}"


def _short(tex: str) -> str:
    tex = " ".join(tex.split())
    return tex if len(tex) <= 40 else tex[:37] + "…"


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
