"""Plain text: the file is its own canonical text, byte for byte.

Why no cleaning at all: indexes built before converters existed, the Q&A sets
and every citation of the shipped corpus point into the files as stored, so a
``.txt`` file's offsets must never move (no newline translation, a byte-order
mark kept).
"""

from __future__ import annotations

import logging
from pathlib import Path

from ...errors import CorpusError
from .base import Converted

log = logging.getLogger(__name__)


def decode_exact(data: bytes, path: Path) -> str:
    """UTF-8 without newline translation, so offsets stay exact; CorpusError names the bad byte."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise CorpusError(f"{path} is not valid UTF-8 (byte {exc.start}); convert it to UTF-8 text") from exc
    if text.startswith("\ufeff"):
        log.debug("%s starts with a byte-order mark; kept so offsets stay exact", path)
    return text


class PlainTextConverter:
    """``.txt``: decoded, never changed; the segmenter reads its lines."""

    name: str = "text"
    version: str = "text-1"
    suffixes: tuple[str, ...] = (".txt",)

    def convert(self, data: bytes, path: Path) -> Converted:
        return Converted(decode_exact(data, path))
