"""Finding a fitted record (ranker, calibration): in a folder the user named, else shipped in the package.

One lookup for both records, so their variants ("ranker.no-rerank.json") and their
errors behave the same.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Optional, Sequence

from ..errors import ModelError


def find_record(folder: Optional[Path], names: Sequence[str], what: str) -> Optional[tuple[str, str]]:
    """The text of the first of ``names`` found, and where it came from (for messages); None if none is there."""
    for name in names:
        if folder is None:
            res = resources.files("naltrexone_qa.answer").joinpath(name)
            if res.is_file():
                return res.read_text(encoding="utf-8"), f"the shipped {name}"
        elif (Path(folder) / name).is_file():
            path = Path(folder) / name
            try:
                return path.read_text(encoding="utf-8"), str(path)
            except OSError as exc:
                raise ModelError(f"cannot read {what} file {path}: {exc.strerror}") from None
    return None
