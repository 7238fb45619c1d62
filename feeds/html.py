"""A small, lenient HTML reader on lxml (libxml2): a tree, its text with line breaks, links.

Markup on funding sites changes without notice, so adapters look for stable signals (link
patterns, label texts) in this tree rather than for one class name. Broken markup never raises.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

import lxml.etree
import lxml.html

__all__ = ["MAX_CHARS", "MAX_DEPTH", "Node", "decode_html", "parse_html", "trim_depth"]

VOID = {
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source",
    "track", "wbr",
}  # fmt: skip
BLOCK = {
    "address", "article", "aside", "blockquote", "dd", "details", "div", "dl", "dt", "fieldset",
    "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr",
    "li", "main", "nav", "ol", "p", "pre", "section", "summary", "table", "tr", "td", "th", "ul",
    "br", "time", "button", "label", "option", "select", "tbody", "thead",
}  # fmt: skip
SKIP_TEXT = {"script", "style", "noscript", "template", "svg", "head", "iframe"}
# Elements that close an open <p> (lenient HTML).


@dataclass
class Node:
    tag: str
    attrs: dict[str, str] = field(default_factory=dict)
    children: list[Node | str] = field(default_factory=list)
    parent: Node | None = field(default=None, repr=False)

    @property
    def classes(self) -> set[str]:
        return set(self.attrs.get("class", "").split())

    def iter(self, tag: str | None = None) -> Iterator[Node]:
        """This node and every element below it (depth first), optionally only ``tag``."""
        stack: list[Node] = [self]
        while stack:
            node = stack.pop()
            if tag is None or node.tag == tag:
                yield node
            stack.extend(c for c in reversed(node.children) if isinstance(c, Node))

    def ancestors(self) -> Iterator[Node]:
        node = self.parent
        while node is not None:
            yield node
            node = node.parent

    def text(self, *, skip: frozenset[str] = frozenset()) -> str:
        """The visible text, one line per block element, no empty lines."""
        out: list[str] = []
        self._collect(out, skip)
        lines = (" ".join(line.split()) for line in "".join(out).split("\n"))
        return "\n".join(line for line in lines if line)

    def _collect(self, out: list[str], skip: frozenset[str]) -> None:
        if self.tag in SKIP_TEXT or self.tag in skip:
            return
        block = self.tag in BLOCK
        if block:
            out.append("\n")
        for child in self.children:
            if isinstance(child, str):
                out.append(child.replace("\n", " "))
            else:
                child._collect(out, skip)
        if self.tag == "dt":
            # A definition term is a label: "Søknadsfrist" -> "Søknadsfrist:" (its value follows).
            tail = "".join(out[-3:]).rstrip()
            if tail and not tail.endswith(":"):
                out.append(":")
        if block:
            out.append("\n")

    def inner_text(self) -> str:
        """All text on one line."""
        return " ".join(self.text().split())


MAX_CHARS = 6_000_000  # a page's text beyond this is not read (the fetcher caps bytes at 5 MB)
MAX_DEPTH = 200  # elements nested deeper than this are left out (lxml itself stops at 256)
_PARSER = lxml.html.HTMLParser(
    recover=True, no_network=True, remove_comments=True, remove_pis=True, huge_tree=False
)


_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9:-]*)\b[^>]*?(/?)>")
# Tags whose end tag may be left out: the parser closes them by itself, so they do not nest.
_SELF_CLOSING = VOID | {
    "p", "li", "dt", "dd", "tr", "td", "th", "option", "optgroup", "thead", "tbody", "tfoot",
    "colgroup", "rt", "rp",
}  # fmt: skip


def trim_depth(text: str, max_depth: int = MAX_DEPTH) -> str:
    """Leave out the opening tags that would nest deeper than ``max_depth`` (their text stays).

    libxml2 gives up on a document nested deeper than 256 and drops everything after that point,
    so a page with a pile of unclosed ``<div>``s (hostile or just broken) would lose its calls. One
    pass over the tags, counting only elements that really nest.
    """
    depth = 0
    trimmed = 0

    def tag(m: re.Match[str]) -> str:
        nonlocal depth, trimmed
        closing, name, self_closing = m.group(1), m.group(2).lower(), m.group(3)
        if name in _SELF_CLOSING or self_closing:
            return m.group(0)
        if closing:
            depth = max(0, depth - 1)
            return m.group(0)
        if depth >= max_depth:
            trimmed += 1
            return ""
        depth += 1
        return m.group(0)

    out = _TAG.sub(tag, text)
    return out if trimmed else text


def _node(element: lxml.html.HtmlElement, parent: Node) -> Node:
    attrs = {str(k).lower(): str(v or "") for k, v in element.attrib.items()}
    node = Node(str(element.tag).lower(), attrs, parent=parent)
    parent.children.append(node)
    return node


def parse_html(text: str) -> Node:
    """The document's tree; never raises on broken markup.

    libxml2's HTML parser (through lxml) reads in linear time whatever the nesting, so a hostile
    page of 50,000 nested tags costs milliseconds, not minutes. The input is bounded
    (``MAX_CHARS``) and so is the depth: tags nested deeper than ``MAX_DEPTH`` are left out before
    parsing (``trim_depth``; their text stays), and the tree is built without recursion. Callers that fetch run this off the event loop
    (``feeds.fetch``).
    """
    root = Node("#root")
    text = trim_depth(text[:MAX_CHARS].replace("\x00", ""), MAX_DEPTH - 10)
    if not text.strip():
        return root
    try:
        document = lxml.html.document_fromstring(text, parser=_PARSER)
    except (lxml.etree.ParserError, ValueError):  # nothing an HTML parser could read
        return root
    stack: list[tuple[lxml.html.HtmlElement, Node, int]] = [(document, _node(document, root), 1)]
    while stack:
        element, node, depth = stack.pop()
        if element.text:
            node.children.append(element.text)
        for child in element:
            if isinstance(child.tag, str) and depth < MAX_DEPTH:
                stack.append((child, _node(child, node), depth + 1))
            if child.tail:
                node.children.append(child.tail)
    return root


_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)


def _charset_from_content_type(content_type: str | None) -> str | None:
    if not content_type:
        return None
    m = re.search(r"charset\s*=\s*\"?([A-Za-z0-9_.:-]+)", content_type, re.IGNORECASE)
    return m.group(1) if m else None


def _known(charset: str | None) -> str | None:
    if not charset:
        return None
    try:
        return codecs.lookup(charset).name
    except LookupError:
        return None


def decode_html(body: bytes, content_type: str | None = None) -> str:
    """Bytes to text: BOM, then the declared charset (header, then <meta>) if the bytes agree,
    then UTF-8, then Windows-1252 (what Norwegian pages without a charset usually are)."""
    for bom, codec in (
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if body.startswith(bom):
            return body.decode(codec, errors="replace").lstrip("\ufeff")
    declared = [_known(_charset_from_content_type(content_type))]
    m = _META_CHARSET.search(body[:4096])
    declared.append(_known(m.group(1).decode("ascii", "ignore")) if m else None)
    for codec in [c for c in declared if c] + ["utf-8"]:
        try:
            return body.decode(codec)
        except (UnicodeDecodeError, LookupError):
            continue
    return body.decode("cp1252", errors="replace")
