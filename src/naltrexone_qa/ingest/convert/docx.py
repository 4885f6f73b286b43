"""Word (.docx) documents via python-docx: paragraph styles say what is a heading or a list item.

Why it is cheap to support: a .docx keeps its structure explicitly (styles
"Title", "Heading N", "List ..."), so no guessing is needed; core properties
give title, author and date.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

from ...errors import CorpusError
from ...types import SentenceKind
from .base import BULLET, Converted, TextBuilder, squash


class DocxConverter:
    """``.docx``: paragraphs and tables in document order."""

    name: str = "docx"
    version: str = "docx-1"
    suffixes: tuple[str, ...] = (".docx",)

    def convert(self, data: bytes, path: Path) -> Converted:
        import docx
        from docx.table import Table

        try:
            document = docx.Document(io.BytesIO(data))
        except (zipfile.BadZipFile, KeyError, ValueError) as exc:
            raise CorpusError(f"{path} is not a readable .docx file (password-protected or damaged?)") from exc
        out = TextBuilder()
        title = ""
        number = 0  # the running number of a numbered list
        for block in document.iter_inner_content():
            if isinstance(block, Table):
                for n, row in enumerate(block.rows):
                    out.line(" | ".join(squash(c.text) for c in row.cells), "table", tight=n > 0)
                continue
            style = (block.style.name if block.style is not None else "") or ""
            text = squash(block.text)
            kind: SentenceKind = "text"
            number = number + 1 if "Number" in style else 0
            if style == "Title" or style.startswith("Heading"):
                kind = "heading"
                title = title or (text if style in ("Title", "Heading 1") else "")
            elif style.startswith("List") and text:
                kind, text = "list", (f"{number}. " if number else BULLET) + text
            out.line(text, kind, tight=kind == "list")
        props = document.core_properties
        meta: dict[str, Any] = {
            "title": props.title or title,
            "author": props.author,
            "date": props.created.date().isoformat() if props.created else None,
        }
        return out.result(meta)
