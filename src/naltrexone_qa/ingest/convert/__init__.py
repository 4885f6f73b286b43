"""Converters by file extension: one module per format behind :class:`~.base.Converter`.

A new format is one module here and one entry in :data:`CONVERTERS`; nothing
else in the program changes.
"""

from __future__ import annotations

from pathlib import Path
from typing import Optional

from .base import Converted, Converter, EmptySource
from .docx import DocxConverter
from .html import HtmlConverter
from .markdown import MarkdownConverter
from .pdf import PdfConverter
from .plain import PlainTextConverter, decode_exact

__all__ = [
    "CONVERTERS",
    "Converted",
    "Converter",
    "EmptySource",
    "SUFFIXES",
    "converter_for",
    "converter_versions",
    "decode_exact",
]

CONVERTERS: tuple[Converter, ...] = (
    PlainTextConverter(),
    MarkdownConverter(),
    HtmlConverter(),
    PdfConverter(),
    DocxConverter(),
)
_BY_SUFFIX: dict[str, Converter] = {suffix: c for c in CONVERTERS for suffix in c.suffixes}
SUFFIXES: tuple[str, ...] = tuple(_BY_SUFFIX)


def converter_for(path: Path) -> Optional[Converter]:
    """The converter for a file's extension, or None when the format is not supported."""
    return _BY_SUFFIX.get(path.suffix.lower())


def converter_versions() -> dict[str, str]:
    """Each converter's version, for the index manifest (a new version re-converts its files)."""
    return {c.name: c.version for c in CONVERTERS}
