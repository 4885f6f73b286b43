"""Per-thread conversation memory for the Slack bot.

A follow-up in a thread ("what about alcohol?") is resolved against the
earlier questions of that thread, exactly like the chat. Memory is a cache:
bounded in size (least recently used thread dropped first) and in age, so a
busy workspace cannot grow it without end. Slack itself is the record: when a
thread is not in memory (after a restart, or after it aged out), its earlier
turns are read back with ``conversations.replies``.
"""

from __future__ import annotations

import html
import logging
import re
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any, Callable, Optional

log = logging.getLogger(__name__)

ThreadKey = tuple[str, str]  # (channel id, thread ts)

MAX_THREADS = 1000
MAX_AGE_SECONDS = 24 * 3600.0
MAX_TURNS = 10
MAX_REPLY_PAGES = 5

_MENTION = re.compile(r"<@([A-Z0-9]+)(?:\|[^>]*)?>")
_SPECIAL = re.compile(r"<!([a-z]+)(?:\^[^|>]*)?(?:\|([^>]*))?>")
_LINK = re.compile(r"<([#@]?)([^|>]+)(?:\|([^>]*))?>")


def plain_text(text: str) -> str:
    """A Slack message as the words a person typed.

    Mentions (ours, other people's, ``@here``) address someone and carry no
    question, so they are removed; channel references and links become their
    label; ``&lt;`` and friends become characters again (output escapes them
    afresh, see ``slack_blocks.escape``).
    """
    text = text or ""
    text = _MENTION.sub(" ", text)
    text = _SPECIAL.sub(" ", text)
    text = _LINK.sub(lambda m: m.group(3) or m.group(2), text)
    return " ".join(html.unescape(text).split())


@dataclass
class _Entry:
    turns: list[str] = field(default_factory=list)
    touched: float = 0.0


class ThreadMemory:
    """Earlier user questions per thread; thread-safe, LRU- and age-bounded."""

    def __init__(
        self,
        max_threads: int = MAX_THREADS,
        max_age: float = MAX_AGE_SECONDS,
        max_turns: int = MAX_TURNS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if max_threads < 1 or max_turns < 1 or max_age <= 0:
            raise ValueError("thread memory bounds must be positive")
        self.max_threads = max_threads
        self.max_age = max_age
        self.max_turns = max_turns
        self._clock = clock
        self._entries: OrderedDict[ThreadKey, _Entry] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        with self._lock:
            self._expire(self._clock())
            return len(self._entries)

    def __contains__(self, key: ThreadKey) -> bool:
        return self.turns(key) is not None

    def turns(self, key: ThreadKey) -> Optional[list[str]]:
        """Earlier questions in the thread, oldest first; None when not remembered."""
        with self._lock:
            now = self._clock()
            self._expire(now)
            entry = self._entries.get(key)
            if entry is None:
                return None
            self._entries.move_to_end(key)
            return list(entry.turns)

    def remember(self, key: ThreadKey, turns: list[str]) -> None:
        """Set a thread's turns (read back from Slack)."""
        with self._lock:
            self._put(key, list(turns))

    def add(self, key: ThreadKey, question: str) -> None:
        """Append one question to a thread, creating the thread if needed."""
        with self._lock:
            now = self._clock()
            self._expire(now)
            entry = self._entries.get(key)
            self._put(key, (entry.turns if entry else []) + [question])

    def _put(self, key: ThreadKey, turns: list[str]) -> None:
        now = self._clock()
        self._entries[key] = _Entry(turns[-self.max_turns :], now)
        self._entries.move_to_end(key)
        self._expire(now)
        while len(self._entries) > self.max_threads:
            self._entries.popitem(last=False)

    def _expire(self, now: float) -> None:
        # Entries are kept in touch order, so the stale ones are at the front.
        while self._entries:
            key, entry = next(iter(self._entries.items()))
            if now - entry.touched <= self.max_age:
                break
            del self._entries[key]


def mentions_someone(text: str) -> bool:
    """Whether a Slack message mentions a user (``<@U…>``)."""
    return bool(_MENTION.search(text or ""))


def is_user_turn(msg: dict[str, Any], bot_user_id: Optional[str], direct: bool, after_bot: bool = False) -> bool:
    """Whether a message from a thread was a question put to the bot.

    In a DM every message is; in a channel, a message that mentions the bot, or
    (``after_bot``: the bot has already answered in the thread) a reply that
    mentions nobody, since the bot answers those too.
    """
    if msg.get("bot_id") or msg.get("subtype") or not msg.get("user") or msg.get("user") == bot_user_id:
        return False
    if direct:
        return True
    text = msg.get("text") or ""
    if bool(bot_user_id) and f"<@{bot_user_id}" in text:
        return True
    return after_bot and not mentions_someone(text)


def read_thread(
    client: Any,
    channel: str,
    thread_ts: str,
    before_ts: str,
    bot_user_id: Optional[str],
    direct: bool,
    max_turns: int = MAX_TURNS,
) -> tuple[list[str], bool]:
    """The thread's earlier questions to the bot, from ``conversations.replies``,
    and whether the bot has posted in the thread before ``before_ts``.

    A question is a message that mentions the bot (in a DM: any message), or a
    reply without mentions in the bot's thread that the bot then answered.

    Any failure (missing scope, not in channel, network) is logged and gives an
    empty history: answering without context beats not answering.
    """
    turns: list[str] = []
    pending: list[str] = []  # replies without a mention, counted once the bot has answered after them
    bot_posted = False
    cursor: Optional[str] = None
    try:
        for _ in range(MAX_REPLY_PAGES):
            kwargs: dict[str, Any] = {"channel": channel, "ts": thread_ts, "limit": 200}
            if cursor:
                kwargs["cursor"] = cursor
            resp = client.conversations_replies(**kwargs)
            for msg in resp.get("messages") or []:
                if float(msg.get("ts") or 0) >= float(before_ts):
                    continue
                if bot_user_id and msg.get("user") == bot_user_id:
                    bot_posted = True
                    turns.extend(pending)  # replies the bot answered were questions to it
                    pending = []
                elif is_user_turn(msg, bot_user_id, direct):
                    question = plain_text(msg.get("text") or "")
                    if question:
                        turns.append(question)
                elif is_user_turn(msg, bot_user_id, direct, after_bot=bot_posted):
                    question = plain_text(msg.get("text") or "")
                    if question:
                        pending.append(question)
            cursor = (resp.get("response_metadata") or {}).get("next_cursor")
            if not cursor:
                break
    except Exception:
        log.warning("could not read thread %s in %s; answering without its history", thread_ts, channel, exc_info=True)
        return [], False
    return turns[-max_turns:], bot_posted
