"""The converter seam: a file's bytes in, one canonical text (with line kinds, pages, metadata) out.

Why one interface: the index only ever needs a text to quote, what each line
is (when the format says), where each page starts and who published it. Each
format is one module behind :class:`Converter`, so adding a format never
touches segmentation, the index or the answerer. Converters raise
:class:`~naltrexone_qa.errors.CorpusError` naming the file for input they
cannot use, and :class:`EmptySource` for a file with nothing in it (skipped
with a warning, never stopping the corpus).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional, Protocol

from ...errors import CorpusError
from ...types import SentenceKind

# Whitespace that ends or continues a line in a source; a no-break space is kept (it is text).
_SPACE = re.compile(r"[ \t\r\n\f\v\u2028\u2029\u200b]+")
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")
BULLET = "\u2022 "
META_KEYS = ("title", "url", "author", "date")


class EmptySource(CorpusError):
    """The file holds no text at all: skipped with a warning, the rest of the corpus is indexed."""


@dataclass
class Converted:
    """What a converter makes of one file."""

    text: str
    line_kinds: Optional[list[tuple[int, SentenceKind]]] = None
    pages: list[int] = field(default_factory=list)
    metadata: dict[str, Any] = field(default_factory=dict)


class Converter(Protocol):
    """One format; ``version`` goes into the index manifest, so a changed converter re-converts."""

    name: str
    version: str
    suffixes: tuple[str, ...]

    def convert(self, data: bytes, path: Path) -> Converted:
        """The canonical text of ``data`` (the bytes of ``path``); raises CorpusError naming ``path``."""
        ...


def squash(text: str) -> str:
    """One line of running text: whitespace runs folded to one space, control characters out."""
    return _SPACE.sub(" ", _CONTROL.sub("", text)).strip()


class TextBuilder:
    """Assembles a canonical text one line at a time, remembering each line's kind.

    Blocks are separated by a blank line (list items and table rows by a line
    break), so the text reads well when printed by ``naltrexone-qa source``.
    """

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.length = 0
        self.kinds: list[tuple[int, SentenceKind]] = []

    def line(self, text: str, kind: SentenceKind = "text", tight: bool = False) -> None:
        """A new line of one kind; ``tight`` puts it right under the previous one (list items, rows)."""
        text = squash(text)
        if not text:
            return
        self.start_line(kind, tight)
        self.extend(text)

    def start_line(self, kind: SentenceKind = "text", tight: bool = False) -> None:
        """Begin a line whose text follows through :meth:`extend`."""
        if self.length:
            self.extend("\n" if tight else "\n\n")
        self.kinds.append((self.length, kind))

    def extend(self, text: str) -> None:
        """Continue the current line with ``text`` exactly."""
        self.parts.append(text)
        self.length += len(text)

    def result(self, metadata: dict[str, Any], with_kinds: bool = True, pages: Optional[list[int]] = None) -> Converted:
        text = "".join(self.parts)
        if text:
            text += "\n"
        kinds = list(self.kinds) if with_kinds else None
        return Converted(text, kinds, list(pages or []), clean_metadata(metadata))


def clean_metadata(raw: dict[str, Any]) -> dict[str, Any]:
    """Title, URL, author and date as short strings; empty values dropped."""
    out: dict[str, Any] = {}
    for key in META_KEYS:
        value = raw.get(key)
        if isinstance(value, (list, tuple)):
            value = ", ".join(str(v) for v in value if v)
        if value is None:
            continue
        text = squash(str(value))
        if text:
            out[key] = text[:500]
    return out


def has_letters(text: str) -> bool:
    return any(c.isalpha() for c in text)
