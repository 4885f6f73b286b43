"""HTML: the page's main content only, found by trafilatura.

Why trafilatura: telling an article from its site chrome (navigation, cookie
banners, sidebars, footers, scripts) is the hard part of web text, and it is
the best-measured open extractor for it (it also reads title, author, date and
the canonical URL from the page's metadata). Its output tree is walked here so
headings, paragraphs, list items and table rows stay distinct lines.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterator, Optional

from ...errors import CorpusError
from ...types import SentenceKind
from .base import BULLET, Converted, TextBuilder, has_letters, squash

_CONTAINERS = {"body", "div", "main", "article", "section", "doc"}
NO_CONTENT = "has no main content (only navigation, banners, footers or scripts?)"


def _text(el: Any, skip: tuple[str, ...] = ()) -> str:
    """The words inside ``el``, inline markup dropped, sub-elements named in ``skip`` left out."""
    parts = [el.text or ""]
    for child in el:
        if child.tag == "lb":  # a <br>: the words on either side must not run together
            parts.append(" ")
        elif child.tag not in skip:
            parts.append(_text(child))
        parts.append(child.tail or "")
    return "".join(parts)


def blocks(el: Any) -> Iterator[tuple[SentenceKind, str, bool]]:
    """(kind, text, tight) for each block of trafilatura's output tree, in document order."""
    for child in el:
        tag = child.tag
        if tag == "head":
            yield "heading", _text(child), False
        elif tag == "p":
            yield "text", _text(child), False
        elif tag == "list":
            yield from _items(child)
        elif tag == "table":
            for row in child.iter("row"):
                yield "table", " | ".join(squash(_text(c)) for c in row if c.tag == "cell"), True
        elif tag == "quote":
            if any(c.tag in ("p", "list") for c in child):
                yield from blocks(child)
            else:
                yield "text", _text(child), False
        elif tag == "code":
            for line in _text(child).splitlines():
                yield "table", line, True
        elif tag in _CONTAINERS:
            yield from blocks(child)


def _items(lst: Any) -> Iterator[tuple[SentenceKind, str, bool]]:
    ordered = lst.get("rend") == "ol"
    for n, item in enumerate((c for c in lst if c.tag == "item"), start=1):
        text = squash(_text(item, skip=("list",)))
        if text:
            yield "list", (f"{n}. " if ordered else BULLET) + text, True
        for sub in item:
            if sub.tag == "list":
                yield from _items(sub)


class HtmlConverter:
    """``.html`` / ``.htm``: main content in reading order, metadata from the page."""

    name: str = "html"
    version: str = "html-1"
    suffixes: tuple[str, ...] = (".html", ".htm")

    def convert(self, data: bytes, path: Path) -> Converted:
        import trafilatura

        try:
            doc = trafilatura.bare_extraction(
                data,
                with_metadata=True,
                include_comments=False,
                include_tables=True,
                include_images=False,
                include_links=False,
                favor_precision=True,
            )
        except (ValueError, TypeError, AttributeError) as exc:
            raise CorpusError(f"{path} is not readable HTML: {exc}") from exc
        body = getattr(doc, "body", None) if doc is not None else None
        if body is None:
            raise CorpusError(f"{path} {NO_CONTENT}")
        out = TextBuilder()
        prose = False
        for kind, text, tight in blocks(body):
            out.line(text, kind, tight=tight)
            prose = prose or (kind != "heading" and has_letters(text))
        if not prose:
            raise CorpusError(f"{path} {NO_CONTENT}")
        meta = {key: _attr(doc, key) for key in ("title", "author", "date", "url")}
        return out.result(meta)


def _attr(doc: Any, key: str) -> Optional[str]:
    value = getattr(doc, key, None)
    return str(value) if value else None
