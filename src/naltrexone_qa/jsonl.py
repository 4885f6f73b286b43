"""The one JSON-lines reader: every data file and stdin batch goes through it.

Why one: six readers used to disagree on blank lines, on error messages and on
whether a bad line stopped the run. Here a bad line always raises
:class:`DataError` naming the source and the line, and blank lines are skipped.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Iterable, Iterator

from .errors import DataError


def decode_line(line: str, where: str) -> Any:
    """One line's JSON value; ``where`` (``file:line``) prefixes the error message."""
    try:
        return json.loads(line)
    except json.JSONDecodeError as exc:
        raise DataError(f"{where}: not valid JSON ({exc.msg} at column {exc.colno})") from None


def iter_lines(lines: Iterable[str], source: str) -> Iterator[tuple[int, Any]]:
    """(line number, decoded value) for each non-blank line of ``lines``."""
    for n, line in enumerate(lines, start=1):
        if line.strip():
            yield n, decode_line(line, f"{source}:{n}")


def read_jsonl(path: str | Path, require_object: bool = True) -> Iterator[tuple[int, Any]]:
    """(line number, value) for each non-blank line of a UTF-8 JSON-lines file.

    With ``require_object`` each value must be a JSON object. The file is read
    line by line, so memory does not grow with its size.
    """
    path = Path(path)
    try:
        fh = path.open(encoding="utf-8")
    except OSError as exc:
        raise DataError(f"{path}: cannot read ({exc.strerror})") from None
    with fh:
        try:
            for n, value in iter_lines(fh, str(path)):
                if require_object and not isinstance(value, dict):
                    raise DataError(f"{path}:{n}: expected a JSON object, got {type(value).__name__}")
                yield n, value
        except UnicodeDecodeError as exc:
            raise DataError(f"{path}: not UTF-8 text (byte {exc.start})") from None
