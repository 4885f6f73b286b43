"""Block Kit rendering of an ``Answer`` for Slack.

Slack parses mrkdwn in both ``blocks`` and the fallback ``text``: a quote from
a source or a word typed by a user that contains ``<!channel>`` or ``<@U123>``
would ping a whole channel or a person. So every piece of text that is not a
fixed phrase of ours goes through ``escape`` (``&``, ``<``, ``>``), and every
text object is marked ``verbatim`` so Slack does not auto-link names or
mentions either.
"""

from __future__ import annotations

import re
from typing import Any, Optional

from ..types import Answer, Citation, Conflict

Block = dict[str, Any]

DISAGREE_HEADING = "Sources disagree"
APOLOGY = "Sorry, something went wrong while answering. Please try again in a moment."
USAGE_HINT = "Ask me a question about naltrexone, for example: _Can naltrexone be taken with gabapentin?_"

SECTION_LIMIT = 3000  # Block Kit: section text
CONTEXT_LIMIT = 2000  # Block Kit: context element text
FALLBACK_LIMIT = 3000  # notifications show far less; keep the payload small
MAX_BLOCKS = 50  # Block Kit: blocks per message
MAX_CONFLICTS = 5
_LINKABLE = re.compile(r"^https?://[^\s<>|]+$")  # a document's URL becomes a link only when it is plainly one


def escape(text: Optional[str]) -> str:
    """Slack's three control characters, so no text can become a mention or link."""
    if not text:
        return ""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def clip(text: str, limit: int) -> str:
    """Cut at ``limit`` characters without splitting an escape like ``&amp;``."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    amp = cut.rfind("&")
    if amp != -1 and ";" not in cut[amp:]:
        cut = cut[:amp]
    return cut + "\u2026"


def mrkdwn(text: str, limit: int = SECTION_LIMIT) -> dict[str, Any]:
    return {"type": "mrkdwn", "text": clip(text, limit), "verbatim": True}


def section(text: str) -> Block:
    return {"type": "section", "text": mrkdwn(text)}


def context(*texts: str) -> Block:
    return {"type": "context", "elements": [mrkdwn(t, CONTEXT_LIMIT) for t in texts]}


def where(c: Citation) -> str:
    """``title § section`` (and the page, for a PDF), escaped; the title links to the source's URL when known."""
    title = escape(c.title)
    if c.url and _LINKABLE.match(c.url):
        title = f"<{c.url}|{title}>"
    place = f"{title} \u00a7 {escape(c.section)}" if c.section else title
    return f"{place}, p. {c.page}" if c.page else place


def sections_of(lines: list[str]) -> list[Block]:
    """Lines packed into as few sections as the 3,000-character limit allows."""
    blocks: list[Block] = []
    current = ""
    for line in lines:
        line = clip(line, SECTION_LIMIT)
        if current and len(current) + 1 + len(line) > SECTION_LIMIT:
            blocks.append(section(current))
            current = ""
        current = f"{current}\n{line}" if current else line
    if current:
        blocks.append(section(current))
    return blocks


def conflict_block(conf: Conflict) -> Block:
    """One disagreement: topic, why, and both sides quoted with their sources."""

    def side(c: Citation) -> str:
        mark = f"[{c.n}] " if c.n else ""
        return f"> {mark}\u201c{escape(c.text)}\u201d \u2014 _{where(c)}_"

    head = f"*{escape(conf.topic)}*: {escape(conf.explanation)}" if conf.topic else escape(conf.explanation)
    return section("\n".join([head, side(conf.a), side(conf.b)]))


def answer_blocks(ans: Answer) -> list[Block]:
    """Urgent line first, then the answer or abstention, sources, disagreements, notice."""
    blocks: list[Block] = []
    if ans.urgent:
        blocks.append(section(f":rotating_light: *{escape(ans.urgent)}*"))
    if ans.resolved_question and ans.resolved_question != ans.question:
        blocks.append(context(f"Searched: {escape(ans.resolved_question)}"))
    if ans.abstained or not ans.sentences:
        blocks.append(section(escape(ans.answer)))
    else:
        blocks += sections_of([f"\u201c{escape(s.text)}\u201d *[{s.citation}]*" for s in ans.sentences])
        for c in ans.citations:
            blocks.append(context(f"*[{c.n}]* {where(c)}"))
    if ans.conflicts:
        blocks.append(section(f":warning: *{DISAGREE_HEADING}*"))
        for conf in ans.conflicts[:MAX_CONFLICTS]:
            blocks.append(conflict_block(conf))
    if ans.notice:
        tail = [{"type": "divider"}, context(f"_{escape(ans.notice)}_")]
        return blocks[: MAX_BLOCKS - len(tail)] + tail
    return blocks[:MAX_BLOCKS]


def fallback_text(ans: Answer) -> str:
    """The plain-text version Slack shows in notifications and screen readers."""
    lines: list[str] = []
    if ans.urgent:
        lines.append(escape(ans.urgent))
    if ans.abstained or not ans.sentences:
        lines.append(escape(ans.answer))
    else:
        lines.append(" ".join(f"\u201c{escape(s.text)}\u201d [{s.citation}]" for s in ans.sentences))
        lines.append("Sources: " + "; ".join(f"[{c.n}] {where(c)}" for c in ans.citations))
    if ans.conflicts:
        lines.append(
            f"{DISAGREE_HEADING}: " + "; ".join(escape(c.topic or c.explanation) for c in ans.conflicts[:MAX_CONFLICTS])
        )
    if ans.notice:
        lines.append(escape(ans.notice))
    return clip("\n".join(lines), FALLBACK_LIMIT)


def render(ans: Answer) -> dict[str, Any]:
    """Keyword arguments for ``chat.postMessage``: ``text`` and ``blocks``."""
    return {"text": fallback_text(ans), "blocks": answer_blocks(ans)}


def plain(message: str) -> dict[str, Any]:
    """A fixed message of ours (apology, usage hint) as ``text`` plus one section."""
    return {"text": message, "blocks": [section(message)]}
