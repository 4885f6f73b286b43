"""Render: an ``Answer`` as terminal text, JSON, or Slack Block Kit.

Each renderer implements :class:`Renderer` and is chosen by name from
:data:`RENDERERS`; a contract test checks that every one of them shows every
quote, the urgent line first when there is one, and the not-medical-advice notice.
"""

from __future__ import annotations

from typing import Any, Callable, Protocol

from ..types import Answer


class Renderer(Protocol):
    """Turns an answer into what one front end sends (a string, or Slack's message payload)."""

    name: str

    def render(self, answer: Answer) -> Any: ...


class TextRenderer:
    name = "text"

    def render(self, answer: Answer) -> str:
        from .text import answer_text

        return answer_text(answer)


class JsonRenderer:
    name = "json"

    def render(self, answer: Answer) -> str:
        from .json_out import answer_json

        return answer_json(answer)


class SlackRenderer:
    name = "slack"

    def render(self, answer: Answer) -> dict[str, Any]:
        from .slack import render

        return render(answer)


RENDERERS: dict[str, Callable[[], Renderer]] = {"text": TextRenderer, "json": JsonRenderer, "slack": SlackRenderer}

__all__ = ["RENDERERS", "JsonRenderer", "Renderer", "SlackRenderer", "TextRenderer"]
