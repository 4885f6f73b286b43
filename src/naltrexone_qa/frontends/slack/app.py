"""The Slack bot: a Bolt ``App`` that answers mentions and DMs in threads.

In a channel it also answers a reply in a thread where it has already answered
(``message.channels`` / ``message.groups``), unless the reply mentions someone:
a follow-up needs no second mention, a word to a colleague is left alone.

Slack wants an acknowledgement within 3 seconds, and answering loads a model
and searches an index, so every event is acknowledged at once and answered by
a Bolt lazy listener on a worker pool. Slack re-delivers an event it thinks
was missed (``X-Slack-Retry-Num``, same ``event_id``) and Bolt does not
de-duplicate, so seen ids (in SQLite, see ``seen``, so a restart does not
forget them; a bounded set in memory when no file is given) drop repeats
before any listener runs. Rate limits (HTTP 429) are waited out by slack_sdk's
retry handler.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from concurrent.futures import Executor, ThreadPoolExecutor
from typing import Any, Callable, Hashable, Optional, Protocol

from slack_bolt import App, BoltResponse
from slack_sdk.http_retry.builtin_handlers import ConnectionErrorRetryHandler, RateLimitErrorRetryHandler
from slack_sdk.web import WebClient

from ...errors import UsageError
from ...pipeline import Answerer
from ...render.slack import APOLOGY, USAGE_HINT, plain, render
from ...slack_settings import SlackSettings
from .threads import ThreadKey, ThreadMemory, mentions_someone, plain_text, read_thread

log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
SEEN_EVENTS = 10_000
WORKERS = 8
RATE_LIMIT_RETRIES = 3


class Seen(Protocol):
    """Remembers event ids: ``first`` is True once per id."""

    def first(self, key: Hashable) -> bool: ...


class SeenSet:
    """A bounded, thread-safe set: remembers the most recent ``size`` keys."""

    def __init__(self, size: int = SEEN_EVENTS) -> None:
        self.size = size
        self._keys: OrderedDict[Hashable, None] = OrderedDict()
        self._lock = threading.Lock()

    def first(self, key: Hashable) -> bool:
        """True the first time ``key`` is offered, False on every repeat."""
        with self._lock:
            if key in self._keys:
                self._keys.move_to_end(key)
                return False
            self._keys[key] = None
            if len(self._keys) > self.size:
                self._keys.popitem(last=False)
            return True

    def __contains__(self, key: Hashable) -> bool:
        with self._lock:
            return key in self._keys


def make_client(settings: SlackSettings) -> WebClient:
    """A Web API client that waits out 429s and talks to ``SLACK_API_URL`` if set."""
    kwargs: dict[str, Any] = {}
    if settings.api_url:
        kwargs["base_url"] = settings.api_url
    return WebClient(
        token=settings.bot_token,
        retry_handlers=[ConnectionErrorRetryHandler(), RateLimitErrorRetryHandler(max_retry_count=RATE_LIMIT_RETRIES)],
        **kwargs,
    )


CHANNEL_TYPES = ("channel", "group")  # message.channels, message.groups


def should_answer(event: dict[str, Any], bot_user_id: Optional[str]) -> bool:
    """Mentions, DMs and candidate channel follow-ups from people; never bots (ourselves
    included), edits or subtypes. A channel message must still pass ``is_channel_follow_up``."""
    if event.get("subtype") or event.get("bot_id") or event.get("bot_profile") or "edited" in event:
        return False
    user = event.get("user")
    if not user or user == bot_user_id:
        return False
    if event.get("type") == "message":
        return event.get("channel_type") == "im" or is_channel_follow_up(event)
    return event.get("type") == "app_mention"


def is_channel_follow_up(event: dict[str, Any]) -> bool:
    """A channel message that may be a follow-up: a reply in a thread that mentions nobody.

    A reply that mentions the bot arrives as ``app_mention`` too and is answered
    from that event; one that mentions someone else is addressed to them. Whether
    the bot has answered in the thread is checked by ``SlackBot.answered_in``.
    """
    if event.get("type") != "message" or event.get("channel_type") not in CHANNEL_TYPES:
        return False
    thread_ts = event.get("thread_ts")
    return bool(thread_ts) and thread_ts != event.get("ts") and not mentions_someone(event.get("text") or "")


class SlackBot:
    """Answers one event end to end; Bolt calls ``handle`` on a worker thread."""

    def __init__(
        self,
        answerer: Answerer,
        client: WebClient,
        memory: Optional[ThreadMemory] = None,
        bot_user_id: Optional[str] = None,
        seen: Optional[Seen] = None,
    ) -> None:
        self.answerer = answerer
        self.client = client
        self.memory = memory or ThreadMemory()
        self.seen: Seen = seen if seen is not None else SeenSet()
        self.bot_user_id = bot_user_id
        # One lock per Slack thread: two questions in the same thread are answered in
        # turn (each sees the other as history), different threads at the same time.
        self._thread_locks: dict[ThreadKey, threading.Lock] = {}
        self._locks_guard = threading.Lock()
        # Channel threads read back and found to be none of ours, so chatter in them
        # does not cost a conversations.replies call per message.
        self._not_ours = SeenSet(size=self.memory.max_threads)

    def thread_lock(self, key: ThreadKey) -> threading.Lock:
        """The lock of one Slack thread (created on first use; bounded by the memory's size)."""
        with self._locks_guard:
            lock = self._thread_locks.get(key)
            if lock is None:
                if len(self._thread_locks) > 4 * self.memory.max_threads:
                    self._thread_locks = {k: v for k, v in self._thread_locks.items() if v.locked()}
                lock = self._thread_locks[key] = threading.Lock()
            return lock

    def dedupe(self, body: dict[str, Any], next: Callable[[], None]) -> Optional[BoltResponse]:
        """Global middleware: acknowledge a repeated event id without running listeners."""
        event_id = body.get("event_id") if isinstance(body, dict) else None
        if event_id and not self.seen.first(event_id):
            log.info("ignoring repeated delivery of event %s", event_id)
            return BoltResponse(status=200, body="")
        next()
        return None

    def handle(self, event: dict[str, Any], bot_user_id: Optional[str] = None) -> None:
        """Filter, then answer in the event's thread; failures end in an apology."""
        bot_user_id = bot_user_id or self.bot_user_id
        if not should_answer(event, bot_user_id):
            log.debug("ignoring %s event (subtype %s)", event.get("type"), event.get("subtype"))
            return
        channel, ts = event.get("channel"), event.get("ts")
        if not channel or not ts:
            return
        thread_ts = event.get("thread_ts") or ts
        follow_up = event.get("type") == "message" and event.get("channel_type") in CHANNEL_TYPES
        try:
            question = plain_text(event.get("text") or "")
            if not question:
                if not follow_up:
                    self.post(channel, thread_ts, plain(USAGE_HINT))
                return
            try:
                # History, answer and the new turn under the thread's lock, so two questions
                # in one thread never both miss each other.
                with self.thread_lock((channel, thread_ts)):
                    if follow_up and not self.answered_in(event, channel, thread_ts, bot_user_id):
                        log.debug("ignoring message %s in a thread the bot has not answered in", ts)
                        return
                    history = self.history(event, channel, thread_ts, bot_user_id)
                    ans = self.answerer.ask(question, history=history)
                    self.memory.add((channel, thread_ts), question)
            except UsageError:
                self.post(channel, thread_ts, plain(USAGE_HINT))
                return
            self.post(channel, thread_ts, render(ans))
        except Exception:
            log.exception("failed to answer message %s in %s", ts, channel)
            try:
                self.post(channel, thread_ts, plain(APOLOGY))
            except Exception:
                log.exception("could not post the apology in %s", channel)

    def answered_in(self, event: dict[str, Any], channel: str, thread_ts: str, bot_user_id: Optional[str]) -> bool:
        """Whether the bot has answered in this channel thread: in memory, else read back once."""
        key = (channel, thread_ts)
        if self.memory.turns(key) is not None:
            return True
        if key in self._not_ours:
            return False
        turns, answered = read_thread(
            self.client,
            channel,
            thread_ts,
            event["ts"],
            bot_user_id,
            direct=False,
            max_turns=self.memory.max_turns,
        )
        if answered:
            self.memory.remember(key, turns)
        else:
            self._not_ours.first(key)
        return answered

    def history(self, event: dict[str, Any], channel: str, thread_ts: str, bot_user_id: Optional[str]) -> list[str]:
        """Earlier questions in this thread: from memory, else read back from Slack."""
        key = (channel, thread_ts)
        remembered = self.memory.turns(key)
        if remembered is not None:
            return remembered
        turns: list[str] = []
        if thread_ts != event.get("ts"):
            turns, _ = read_thread(
                self.client,
                channel,
                thread_ts,
                event["ts"],
                bot_user_id,
                direct=event.get("channel_type") == "im",
                max_turns=self.memory.max_turns,
            )
        self.memory.remember(key, turns)
        return turns

    def post(self, channel: str, thread_ts: str, message: dict[str, Any]) -> None:
        self.client.chat_postMessage(
            channel=channel, thread_ts=thread_ts, unfurl_links=False, unfurl_media=False, **message
        )


class _OwnClientToken(logging.Filter):
    """Drops Bolt's "As you gave `client` as well, `token` will be unused" (issue 13).

    Bolt reads SLACK_BOT_TOKEN from the environment itself when no token is
    passed, then warns that the client wins; our client carries that same
    token (plus the API URL and retry handlers), so the warning only confused.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        return "will be unused" not in record.getMessage() or "`client`" not in record.getMessage()


_OWN_CLIENT_TOKEN = _OwnClientToken()


def build_app(
    answerer: Answerer,
    settings: SlackSettings,
    *,
    socket_mode: bool = False,
    client: Optional[WebClient] = None,
    memory: Optional[ThreadMemory] = None,
    workers: int = WORKERS,
    executor: Optional[Executor] = None,
    seen: Optional[Seen] = None,
) -> App:
    """The Bolt app; checks the token with ``auth.test`` (raises on a bad one).

    ``executor`` runs the answering (Bolt's lazy listeners); tests pass their own
    so they can wait for every pending answer. ``seen`` remembers event ids
    (``seen.SeenEvents`` in SQLite for a server; a bounded in-memory set by default).
    """
    client = client or make_client(settings)
    bot = SlackBot(answerer, client, memory, seen=seen)
    bolt_log = logging.getLogger("naltrexone_qa.slack_bolt")
    bolt_log.addFilter(_OWN_CLIENT_TOKEN)
    app = App(
        client=client,  # carries the token, base URL and retry handlers
        signing_secret=None if socket_mode else settings.signing_secret,
        request_verification_enabled=not socket_mode,
        listener_executor=executor or ThreadPoolExecutor(max_workers=workers, thread_name_prefix="slack-answer"),
        logger=bolt_log,
    )
    app.use(bot.dedupe)

    def acknowledge(ack: Callable[[], None]) -> None:
        ack()

    def answer(event: dict[str, Any], context: Any) -> None:
        bot.handle(event, context.get("bot_user_id"))

    app.event("app_mention")(ack=acknowledge, lazy=[answer])
    app.event("message")(ack=acknowledge, lazy=[answer])
    return app
