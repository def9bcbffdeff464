"""HTML pages: the main text, without navigation chrome, scripts or markup.

Why our own extraction (lxml only, no extra dependency): a policy page is simple, and
the rules that matter are few and testable. Chrome goes: ``script style noscript
template iframe svg form nav aside``, ARIA ``navigation/banner/contentinfo/search/
complementary`` landmarks, hidden elements, and ``header``/``footer`` that are not
inside the content (an ``article``'s own header holds its title and stays). The content
is ``main`` (or ``role=main``), else the ``article`` with the most text, else ``body``.

The text is laid out the way the structure parser reads typed documents: one paragraph
per block element, separated by blank lines; headings on their own line; list items as
"- item" (or "1. item" in an ``ol``, numbered as a browser draws it); table rows as one
line with tab-separated cells. Only text nodes are kept, never markup or comments, and
entities are decoded by the parser, so no raw HTML reaches the index or the UI.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from ..errors import LoadError
from .base import LoadedText, clean_text, register, roman_numeral
from .encoding import decode_bytes
from .legacy import repair

_DROP = {"script", "style", "noscript", "template", "iframe", "svg", "canvas", "form", "nav", "aside",
         "button", "select", "input", "textarea", "object", "embed", "head", "menu", "dialog", "map"}  # fmt: skip
_CHROME_ROLES = {"navigation", "banner", "contentinfo", "search", "complementary", "menu", "menubar"}
_BLOCKS = {"p", "div", "section", "article", "main", "blockquote", "address", "figure", "figcaption",
           "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "dl", "dt", "dd", "table", "tr",
           "pre", "hr", "header", "footer", "center", "caption", "body", "html", "fieldset", "details", "summary"}  # fmt: skip
_CHARSET_RE = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_XML_DECL_RE = re.compile(r"^\s*<\?xml[^>]*\?>")
_CONTROL_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@register(".html", ".htm", ".xhtml")
def load_html(path: Path, data: bytes) -> list[LoadedText]:
    raw, encoding = _decode(path, data)
    try:
        import lxml.html
        from lxml import etree
    except ImportError:  # pragma: no cover - a declared dependency
        raise LoadError(f"{path}: cannot read .html files: lxml is not installed") from None
    try:
        # C0 control characters are not allowed in XML/lxml text (drop_tree fails on them later)
        parser = lxml.html.HTMLParser()
        root = lxml.html.document_fromstring(_XML_DECL_RE.sub("", _CONTROL_RE.sub("", raw)), parser=parser)
    except (etree.ParserError, ValueError) as exc:
        raise LoadError(f"{path}: not readable as HTML ({' '.join(str(exc).split())[:200]})") from None
    if any(e.type_name == "ERR_RESOURCE_LIMIT" for e in parser.error_log):
        # libxml2 stops at 256 nested elements and silently drops the rest of the page:
        # refuse rather than index a page without its body.
        raise LoadError(f"{path}: HTML nested more than 255 elements deep; not a readable page (the text inside would be lost)")
    _strip_chrome(root)
    blocks = _Text().render(_content_root(root))
    text = clean_text("\n\n".join(blocks))
    fixed, name = repair(text)
    if name:
        text, encoding = fixed, f"{encoding}+{name}->unicode"
    if not text.strip():
        raise LoadError(f"{path}: the HTML page has no main text")
    return [LoadedText(source=str(path), text=text, encoding=encoding)]


def _decode(path: Path, data: bytes) -> tuple[str, str]:
    """A declared ``<meta charset>`` wins (if Python knows it); else sniff like a text file."""
    m = _CHARSET_RE.search(data[:4096])
    if m and not data.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")):
        codec = m.group(1).decode("ascii").lower()
        try:
            return data.decode(codec), codec
        except (LookupError, UnicodeDecodeError):
            pass  # a wrong declaration is common; fall back to sniffing
    text, label = decode_bytes(data, str(path))
    return text, label.split("+")[0]


def _tag(el: Any) -> str:
    return el.tag.lower() if isinstance(el.tag, str) else ""


def _is_chrome(el: Any) -> bool:
    tag = _tag(el)
    if tag in _DROP:
        return True
    if (el.get("role") or "").lower() in _CHROME_ROLES:
        return True
    if el.get("hidden") is not None or (el.get("aria-hidden") or "").lower() == "true":
        return True
    style = (el.get("style") or "").replace(" ", "").lower()
    if "display:none" in style or "visibility:hidden" in style:
        return True
    if tag in ("header", "footer"):
        return not any(_tag(a) in ("article", "main") for a in el.iterancestors())
    return False


def _strip_chrome(root: Any) -> None:
    """Remove chrome elements, comments and processing instructions, keeping the text
    that follows each (``drop_tree`` re-attaches the tail)."""
    for el in [el for el in root.iter() if not isinstance(el.tag, str) or _is_chrome(el)]:
        if el.getparent() is not None:
            el.drop_tree()


def _content_root(root: Any) -> Any:
    for xpath in ("//main", "//*[@role='main']"):
        found = root.xpath(xpath)
        if found:
            return found[0]
    articles = root.xpath("//article")
    if articles:
        return max(articles, key=lambda a: len(a.text_content()))
    body = root.find("body")
    return body if body is not None else root


class _Text:
    """Block-structured text of an element tree."""

    def __init__(self) -> None:
        self.blocks: list[str] = []
        self.current: list[str] = []

    def render(self, root: Any) -> list[str]:
        self._walk(root, pre=False)
        self._flush()
        return [b for b in self.blocks if b.strip()]

    def _flush(self) -> None:
        text = "".join(self.current)
        self.current = []
        lines = [" ".join(line.split()) for line in text.split("\n")]
        text = "\n".join(line for line in lines if line)
        if text:
            self.blocks.append(text)

    def _walk(self, el: Any, pre: bool) -> None:
        tag = _tag(el)
        if tag == "br":
            self.current.append("\n")
        elif tag == "table":
            self._flush()
            self.blocks.append(self._table(el))
        elif tag in ("ul", "ol"):
            self._flush()
            self._list(el, pre)
        elif tag == "pre":
            self._flush()
            self.blocks.append(el.text_content().strip("\n"))
        else:
            block = tag in _BLOCKS
            if block:
                self._flush()
            if el.text:
                self.current.append(el.text)
            for child in el:
                self._walk(child, pre)
                if child.tail:
                    self.current.append(child.tail)
            if block:
                self._flush()

    def _list(self, el: Any, pre: bool) -> None:
        ordered = _tag(el) == "ol"
        n = _int(el.get("start"), 1)
        kind = el.get("type") or "1"
        for li in el:
            if _tag(li) != "li":
                self._walk(li, pre)
                continue
            n = _int(li.get("value"), n)
            marker = f"{_ol_marker(n, kind)}." if ordered else "-"
            if kind in ("a", "A") and ordered:
                marker = f"{_ol_marker(n, kind)})"  # Vietnamese writes lettered points "a)"
            self.current.append(marker + " ")
            if li.text:
                self.current.append(li.text)
            for child in li:
                self._walk(child, pre)
                if child.tail:
                    self.current.append(child.tail)
            self._flush()
            n += 1

    def _table(self, table: Any) -> str:
        lines = []
        for tr in table.xpath("./tr | ./thead/tr | ./tbody/tr | ./tfoot/tr"):
            cells = [" ".join(td.text_content().split()) for td in tr if _tag(td) in ("td", "th")]
            line = "\t".join(cells).rstrip()
            if line.strip():
                lines.append(line)
        return "\n".join(lines)


def _int(value: str | None, default: int) -> int:
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default


#: Beyond this a list number is kept as written: a Roman numeral for 10**10 is a
#: 10-million-letter string (the conversion loops once per thousand), and no real list
#: counts that far. 3999 is the largest number Roman numerals write without overlines.
MAX_LIST_NUMBER = 3999


def _ol_marker(n: int, kind: str) -> str:
    if not 1 <= n <= MAX_LIST_NUMBER:
        return str(n)
    if kind in ("a", "A"):
        s = chr(ord("a") + (n - 1) % 26)
        return s.upper() if kind == "A" else s
    if kind in ("i", "I"):
        out = roman_numeral(n)
        return out.upper() if kind == "I" else out
    return str(n)
