"""naltrexone-qa: answers about naltrexone quoted verbatim from source articles, with citations."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"
__all__ = ["QA", "Answer", "Citation", "Conflict", "__version__"]

if TYPE_CHECKING:
    from .models import Answer, Citation, Conflict
    from .pipeline import QA


def __getattr__(name: str) -> Any:
    """Import the heavy pipeline only when asked for, so the CLI starts fast."""
    if name == "QA":
        from .pipeline import QA

        return QA
    if name in ("Answer", "Citation", "Conflict"):
        from . import models

        return getattr(models, name)
    raise AttributeError(name)
