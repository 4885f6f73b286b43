"""Markdown rendered to text with markdown-it-py: headings become sections, markup goes, link text stays.

Why a parser and not regexes: emphasis, links, entities, tables, lists and
code follow CommonMark's rules, which a parser gets right (``2 * 3 * 4`` is
not emphasis; ``[text](url)`` keeps "text"). YAML front matter (title, url,
author, date) is read by mdit-py-plugins and PyYAML. Raw HTML and images are
dropped; code and table rows are indexed but never quoted.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any, Optional

from ...types import SentenceKind
from .base import BULLET, Converted, TextBuilder, squash
from .plain import decode_exact

_SKIPPED_INLINE = {"image", "html_inline"}


def _inline_text(token: Any) -> str:
    """The words of an inline token: text and code kept, markup, images and raw HTML dropped."""
    out: list[str] = []
    for child in token.children or []:
        if child.type in ("text", "code_inline"):
            out.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            out.append(" ")
        elif child.type not in _SKIPPED_INLINE and child.content and not child.type.endswith(("_open", "_close")):
            out.append(child.content)
    return "".join(out)


def front_matter(content: str) -> dict[str, Any]:
    """The YAML front matter's mapping; anything else (a list, bad YAML) is ignored."""
    import yaml

    try:
        data = yaml.safe_load(content)
    except yaml.YAMLError:
        return {}
    if not isinstance(data, dict):
        return {}
    out = {str(k).lower(): v for k, v in data.items()}
    for alias, key in (("link", "url"), ("canonical", "url"), ("source", "url"), ("authors", "author")):
        if key not in out and alias in out:
            out[key] = out[alias]
    for key, value in list(out.items()):
        if isinstance(value, (dt.date, dt.datetime)):
            out[key] = value.isoformat()
    return out


class MarkdownConverter:
    """``.md`` / ``.markdown``: CommonMark plus tables and strikethrough."""

    name: str = "markdown"
    version: str = "markdown-1"
    suffixes: tuple[str, ...] = (".md", ".markdown")

    def convert(self, data: bytes, path: Path) -> Converted:
        from markdown_it import MarkdownIt
        from mdit_py_plugins.front_matter import front_matter_plugin

        source = decode_exact(data, path).lstrip("\ufeff")
        md = MarkdownIt("commonmark").enable("table").enable("strikethrough").use(front_matter_plugin)
        tokens = md.parse(source)
        out = TextBuilder()
        meta: dict[str, Any] = {}
        first_h1: Optional[str] = None
        lists: list[dict[str, Any]] = []  # open lists: ordered?, next number
        item_first = False  # the next paragraph opens a list item
        row: list[str] = []
        first_row = True
        for i, tok in enumerate(tokens):
            kind = tok.type
            if kind == "front_matter":
                meta = front_matter(tok.content)
            elif kind in ("bullet_list_open", "ordered_list_open"):
                start = tok.attrGet("start")
                lists.append({"ordered": kind == "ordered_list_open", "n": int(start) if start else 1})
            elif kind in ("bullet_list_close", "ordered_list_close"):
                lists.pop()
            elif kind == "list_item_open":
                item_first = True
            elif kind == "heading_open":
                text = _inline_text(tokens[i + 1])
                if tok.tag == "h1" and first_h1 is None:
                    first_h1 = squash(text)
                out.line(text, "heading")
            elif kind == "inline" and tokens[i - 1].type == "paragraph_open":
                item_first = self._paragraph(out, _inline_text(tok), lists, item_first)
            elif kind == "table_open":
                first_row = True
            elif kind == "tr_open":
                row = []
            elif kind == "inline" and tokens[i - 1].type in ("th_open", "td_open"):
                row.append(squash(_inline_text(tok)))
            elif kind == "tr_close":
                out.line(" | ".join(row), "table", tight=not first_row)
                first_row = False
            elif kind in ("fence", "code_block"):
                for n, line in enumerate(tok.content.splitlines()):
                    out.line(line, "table", tight=n > 0)
        if first_h1 and not meta.get("title"):
            meta["title"] = first_h1
        return out.result(meta)

    @staticmethod
    def _paragraph(out: TextBuilder, text: str, lists: list[dict[str, Any]], item_first: bool) -> bool:
        """A paragraph: a list item's first one gets its bullet (so it reads and segments as a list item)."""
        if lists and item_first and squash(text):
            current = lists[-1]
            marker = f"{current['n']}. " if current["ordered"] else BULLET
            current["n"] += 1
            kind: SentenceKind = "list"
            out.line(marker + squash(text), kind, tight=True)
        else:
            out.line(text, "text")
        return False
