"""A local mock of the Slack Web API, plus test doubles for the Slack tests.

The pattern follows slack_bolt's own test suite: the real ``App`` and
``WebClient`` talk HTTP to a server on 127.0.0.1 that records every call, so
the tests see exactly what the bot would have sent to Slack.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Optional, Sequence
from urllib.parse import parse_qsl, urlparse

from naltrexone_qa.answer.safety import NOTICE
from naltrexone_qa.types import Answer, AnswerSentence, Citation, Conflict

BOT_USER_ID = "UBOT"
BOT_ID = "BBOT"
TEAM_ID = "T0001"


@dataclass
class Call:
    """One request the bot made: API method, its arguments, when, and our status."""

    method: str
    args: dict[str, Any]
    at: float
    status: int = 200
    raw: str = ""


@dataclass
class MockSlack:
    """Threaded HTTP server answering auth.test, chat.postMessage, conversations.replies."""

    calls: list[Call] = field(default_factory=list)
    threads: dict[tuple[str, str], list[dict[str, Any]]] = field(default_factory=dict)
    _rate_limits: dict[str, int] = field(default_factory=dict)
    _cond: threading.Condition = field(default_factory=threading.Condition)
    _server: Optional[ThreadingHTTPServer] = None
    _counter: int = 0

    @property
    def url(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}/api/"

    def start(self) -> MockSlack:
        mock = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:  # quiet test output
                pass

            def do_GET(self) -> None:
                mock._handle(self, "")

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                mock._handle(self, self.rfile.read(length).decode("utf-8"))

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    # --- test controls -------------------------------------------------

    def rate_limit_once(self, method: str, retry_after: int = 1) -> None:
        """The next call of ``method`` gets HTTP 429 with this Retry-After."""
        with self._cond:
            self._rate_limits[method] = retry_after

    def add_message(self, channel: str, thread_ts: str, message: dict[str, Any]) -> None:
        """Put a message into a thread, as if it had been posted before the test."""
        with self._cond:
            self.threads.setdefault((channel, thread_ts), []).append(message)

    def calls_of(self, method: str, status: Optional[int] = 200) -> list[Call]:
        with self._cond:
            return [c for c in self.calls if c.method == method and (status is None or c.status == status)]

    def posts(self) -> list[dict[str, Any]]:
        """Arguments of every successful chat.postMessage, in arrival order."""
        return [c.args for c in self.calls_of("chat.postMessage")]

    def wait_for(self, method: str, count: int = 1, timeout: float = 30.0) -> list[Call]:
        """Block until ``count`` successful calls of ``method`` arrived (or fail)."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                found = [c for c in self.calls if c.method == method and c.status == 200]
                if len(found) >= count:
                    return found
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"expected {count} {method} call(s), got {len(found)}")
                self._cond.wait(left)

    # --- the fake API --------------------------------------------------

    def _handle(self, req: BaseHTTPRequestHandler, body: str) -> None:
        parsed = urlparse(req.path)
        method = parsed.path.rsplit("/", 1)[-1]
        args: dict[str, Any] = dict(parse_qsl(parsed.query))
        ctype = req.headers.get("Content-Type") or ""
        if body and "json" in ctype:
            args.update(json.loads(body))
        elif body:
            args.update(parse_qsl(body))
        if isinstance(args.get("blocks"), str):
            args["blocks"] = json.loads(args["blocks"])
        status, headers, payload = self._respond(method, args, req.headers.get("Authorization") or "")
        with self._cond:
            self.calls.append(Call(method, args, time.monotonic(), status, body))
            self._cond.notify_all()
        data = json.dumps(payload).encode("utf-8")
        req.send_response(status)
        for k, v in {"Content-Type": "application/json; charset=utf-8", **headers}.items():
            req.send_header(k, v)
        req.send_header("Content-Length", str(len(data)))
        req.end_headers()
        req.wfile.write(data)

    def _respond(self, method: str, args: dict[str, Any], auth: str) -> tuple[int, dict[str, str], dict[str, Any]]:
        with self._cond:
            retry_after = self._rate_limits.pop(method, None)
        if retry_after is not None:
            return 429, {"Retry-After": str(retry_after)}, {"ok": False, "error": "ratelimited"}
        if not auth.startswith("Bearer xox"):
            return 200, {}, {"ok": False, "error": "not_authed"}
        if method == "auth.test":
            return (
                200,
                {},
                {
                    "ok": True,
                    "url": "https://example.slack.com/",
                    "team": "Test",
                    "user": "naltrexone-qa",
                    "team_id": TEAM_ID,
                    "user_id": BOT_USER_ID,
                    "bot_id": BOT_ID,
                },
            )
        if method == "chat.postMessage":
            with self._cond:
                self._counter += 1
                ts = f"{1800000000 + self._counter}.000001"
            message = {
                "type": "message",
                "bot_id": BOT_ID,
                "user": BOT_USER_ID,
                "text": args.get("text", ""),
                "ts": ts,
                "thread_ts": args.get("thread_ts"),
            }
            if args.get("thread_ts"):
                self.add_message(args["channel"], args["thread_ts"], message)
            return 200, {}, {"ok": True, "channel": args.get("channel"), "ts": ts, "message": message}
        if method == "conversations.replies":
            with self._cond:
                msgs = sorted(
                    self.threads.get((args.get("channel", ""), args.get("ts", "")), []), key=lambda m: float(m["ts"])
                )
            return 200, {}, {"ok": True, "messages": msgs, "has_more": False}
        return 200, {}, {"ok": False, "error": "unknown_method"}


class FakeAnswerer:
    """Records questions and histories; answers with a real ``Answer`` built by ``make``."""

    def __init__(self, make: Optional[Callable[[str], Answer]] = None) -> None:
        self.make = make or (lambda q: answer_for(q))
        self.asked: list[tuple[str, list[str]]] = []
        self._lock = threading.Lock()

    def ask(self, question: str, history: Sequence[str] = ()) -> Answer:
        with self._lock:
            self.asked.append((question, list(history)))
        return self.make(question)


def citation(
    n: Optional[int],
    text: str,
    title: str = "Naltrexone Uses",
    section: Optional[str] = "Overview",
    doc_id: str = "doc-a",
) -> Citation:
    return Citation(n=n, doc_id=doc_id, title=title, section=section, start=0, end=len(text), text=text)


def answer_for(question: str, quote: Optional[str] = None, **extra: Any) -> Answer:
    """A one-sentence cited answer whose quote names the question (to match threads)."""
    text = quote if quote is not None else f"Quote answering: {question}"
    cites = [citation(1, text)]
    fields: dict[str, Any] = dict(
        question=question,
        answer=f"{text} [1]",
        abstained=False,
        confidence=0.9,
        sentences=[AnswerSentence(text, 1)],
        citations=cites,
        conflicts=[],
        mode="hybrid",
        timings_ms={},
        resolved_question=question,
        urgent=None,
        notice=NOTICE,
    )
    fields.update(extra)
    return Answer(**fields)


def conflict(topic: str, a: str, b: str, explanation: str = "The sources disagree.") -> Conflict:
    return Conflict(
        "contradiction",
        "high",
        0.9,
        explanation,
        topic,
        citation(1, a, "Article A", "Risks", "doc-a"),
        citation(None, b, "Article B", None, "doc-b"),
    )
