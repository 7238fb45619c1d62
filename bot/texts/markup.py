"""Telegram HTML as text: its visible length, splitting that never cuts inside a tag or an entity,
and plain text with the links written out (for .ics descriptions).

Telegram's limit (4,096) counts the text after the markup is parsed, in UTF-16 code units; so do
these functions. A part that has to end inside an element (a long bold passage, a link) closes it
and the next part opens it again, so every part is valid HTML on its own.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

LIMIT = 4096

_TOKEN = re.compile(r"<[^>]*>|&(?:#\d+|#x[0-9a-fA-F]+|[A-Za-z]+);|[^<&\s]+|\s|[<&]")
_TAG = re.compile(r"<(/?)([A-Za-z][\w-]*)")
_ANY_TAG = re.compile(r"<[^>]*>")
_LINK = re.compile(r'<a\s+href="([^"]*)"[^>]*>(.*?)</a>', re.DOTALL | re.IGNORECASE)


def _units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


@dataclass(frozen=True, slots=True)
class _Atom:
    text: str
    width: int
    tag: str | None = None  # the element's name for a tag
    closing: bool = False


def _atoms(text: str, longest: int) -> list[_Atom]:
    atoms: list[_Atom] = []
    for match in _TOKEN.finditer(text):
        token = match.group(0)
        tag = _TAG.match(token) if token.startswith("<") and token.endswith(">") else None
        if tag is not None:
            atoms.append(_Atom(token, 0, tag.group(2).lower(), tag.group(1) == "/"))
        elif token.startswith("&") and token.endswith(";") and len(token) > 1:
            atoms.append(_Atom(token, 1))
        elif _units(token) <= longest:
            atoms.append(_Atom(token, _units(token)))
        else:  # a "word" longer than a part: cut it, between characters
            piece = ""
            for char in token:
                if _units(piece + char) > longest:
                    atoms.append(_Atom(piece, _units(piece)))
                    piece = ""
                piece += char
            if piece:
                atoms.append(_Atom(piece, _units(piece)))
    return atoms


def visible_length(text: str) -> int:
    """The length Telegram counts: the text without tags, entities as one character, UTF-16."""
    return _units(html.unescape(_ANY_TAG.sub("", text)))


def _apply(stack: list[tuple[str, str]], atom: _Atom) -> None:
    if atom.tag is None:
        return
    if not atom.closing:
        stack.append((atom.tag, atom.text))
        return
    for index in range(len(stack) - 1, -1, -1):
        if stack[index][0] == atom.tag:
            del stack[index:]
            return


def _cut(atoms: list[_Atom], start: int, end: int, limit: int) -> int:
    """Where to end a part that may hold ``atoms[start:end]``: after a blank line, else a line
    break, else a space, if that keeps at least a quarter of the part; else at ``end``."""
    width = 0
    widths = []
    for atom in atoms[start:end]:
        width += atom.width
        widths.append(width)
    for wanted in ("\n\n", "\n", " "):
        for k in range(end, start, -1):
            if widths[k - start - 1] < limit // 4:
                break
            if wanted == "\n\n":
                if k - 2 >= start and atoms[k - 1].text == "\n" and atoms[k - 2].text == "\n":
                    return k
            elif atoms[k - 1].text == wanted:
                return k
    return end


def split_html(text: str, limit: int = LIMIT) -> list[str]:
    """Split at blank lines, then line breaks, then spaces, so each part fits ``limit`` (as
    Telegram counts); never inside a tag or an entity; elements open at a cut are closed at the
    end of the part and opened again at the start of the next."""
    if visible_length(text) <= limit:
        return [text]
    atoms = _atoms(text, max(limit // 2, 1))
    parts: list[str] = []
    stack: list[tuple[str, str]] = []
    i = 0
    while i < len(atoms):
        width, j = 0, i
        while j < len(atoms) and width + atoms[j].width <= limit:
            width += atoms[j].width
            j += 1
        k = len(atoms) if j == len(atoms) else _cut(atoms, i, j, limit)
        k = max(k, i + 1)
        opened = "".join(tag for _, tag in stack)
        for atom in atoms[i:k]:
            _apply(stack, atom)
        body = "".join(a.text for a in atoms[i:k])
        closing = "".join(f"</{name}>" for name, _ in reversed(stack))
        part = (opened + body.rstrip() + closing).strip()
        if any(a.width and a.text.strip() for a in atoms[i:k]):
            parts.append(part)
        i = k
        while i < len(atoms) and atoms[i].tag is None and not atoms[i].text.strip():
            i += 1
    return parts or [text]


def html_to_plain(text: str) -> str:
    """Plain text from Telegram HTML: links written as «text (address)», tags dropped, entities
    decoded (for an .ics description, where markup is not shown)."""

    def _link(match: re.Match[str]) -> str:
        url = match.group(1)  # still escaped: everything is unescaped once, at the end
        label = re.sub(r"<[^>]+>", "", match.group(2)).strip()
        return url if not label or html.unescape(label) == html.unescape(url) else f"{label} ({url})"

    plain = _LINK.sub(_link, text)
    plain = re.sub(r"<[^>]+>", "", plain)
    return html.unescape(plain)
