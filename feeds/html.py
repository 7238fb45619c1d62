"""A small, lenient HTML reader on Python's html.parser: a tree, its text with line breaks, links.

Markup on funding sites changes without notice, so adapters look for stable signals (link
patterns, label texts) in this tree rather than for one class name. Broken markup never raises.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser

__all__ = ["Node", "decode_html", "parse_html"]

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
_CLOSES_P = BLOCK - {"br", "time", "button", "label", "option", "td", "th", "dd", "dt", "li"}


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


class _TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("#root")
        self.stack: list[Node] = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        tag = tag.lower()
        if tag in _CLOSES_P and any(n.tag == "p" for n in self.stack[1:]):
            self._close("p")
        if tag == "li" and self._open_in_list("li"):
            self._close("li")
        if tag in ("dt", "dd"):
            for other in ("dt", "dd"):
                if self._open_in_list(other):
                    self._close(other)
        parent = self.stack[-1]
        node = Node(tag, {k.lower(): (v or "") for k, v in attrs}, parent=parent)
        parent.children.append(node)
        if tag not in VOID:
            self.stack.append(node)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag.lower() not in VOID and self.stack[-1].tag == tag.lower():
            self.stack.pop()

    def _open_in_list(self, tag: str) -> bool:
        for node in reversed(self.stack):
            if node.tag == tag:
                return True
            if node.tag in ("ul", "ol", "dl", "table", "div"):
                return False
        return False

    def _close(self, tag: str) -> None:
        for i in range(len(self.stack) - 1, 0, -1):
            if self.stack[i].tag == tag:
                del self.stack[i:]
                return

    def handle_endtag(self, tag: str) -> None:
        tag = tag.lower()
        if any(n.tag == tag for n in self.stack[1:]):
            self._close(tag)

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(data)


def parse_html(text: str) -> Node:
    """The document's tree; never raises on broken markup."""
    builder = _TreeBuilder()
    try:
        builder.feed(text)
        builder.close()
    except Exception:  # html.parser is lenient; keep whatever was read  # noqa: S110
        pass
    return builder.root


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
