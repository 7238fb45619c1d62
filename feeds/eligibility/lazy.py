"""Regular expressions compiled on first use: the reader's patterns are large, and a process that
never reads a call's conditions (most CLI commands) should not pay for compiling them at import."""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cached_property

__all__ = ["Lazy"]


class Lazy:
    """A pattern with the ``re.Pattern`` methods the reader uses, compiled when first asked."""

    def __init__(self, pattern: str, flags: int = 0) -> None:
        self.pattern = pattern
        self.flags = flags

    @cached_property
    def compiled(self) -> re.Pattern[str]:
        return re.compile(self.pattern, self.flags)

    def search(self, text: str, pos: int = 0, endpos: int | None = None) -> re.Match[str] | None:
        return self.compiled.search(text, pos, len(text) if endpos is None else endpos)

    def match(self, text: str) -> re.Match[str] | None:
        return self.compiled.match(text)

    def finditer(self, text: str, pos: int = 0, endpos: int | None = None) -> Iterator[re.Match[str]]:
        return self.compiled.finditer(text, pos, len(text) if endpos is None else endpos)

    def sub(self, repl: str, text: str) -> str:
        return self.compiled.sub(repl, text)
