"""naltrexone-qa: answers about naltrexone quoted verbatim from source articles, with citations.

Data flows corpus -> ingest -> embed -> index -> retrieve -> answer / disagree
-> pipeline -> render -> front ends; see the README's "How it fits together".
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.2.0"
__all__ = ["QA", "Answer", "Citation", "Conflict", "Settings", "__version__"]

if TYPE_CHECKING:
    from .config import Settings
    from .pipeline import QA
    from .types import Answer, Citation, Conflict


def __getattr__(name: str) -> Any:
    """Import the heavy pipeline only when asked for, so the CLI starts fast."""
    if name == "QA":
        from .pipeline import QA

        return QA
    if name == "Settings":
        from .config import Settings

        return Settings
    if name in ("Answer", "Citation", "Conflict"):
        from . import types

        return getattr(types, name)
    raise AttributeError(name)
