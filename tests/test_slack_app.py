"""The Slack bot end to end: the real Bolt app, signed requests, a mock Slack Web API.

Requests go through ``App.dispatch`` exactly as Bolt's HTTP adapters hand
them over, so signature checks, url_verification, acknowledgement and lazy
listeners are Bolt's own. Each test owns the listener executor and shuts it
down before asserting, so "never answered twice" is checked after every
answer that could have happened has happened.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Optional

import pytest
from click.testing import CliRunner
from slack_bolt import App, BoltRequest, BoltResponse
from slack_sdk.signature import SignatureVerifier

from naltrexone_qa.frontends.cli import cli
from naltrexone_qa.frontends.slack.app import SeenSet, build_app
from naltrexone_qa.frontends.slack.threads import ThreadMemory
from naltrexone_qa.render.slack import APOLOGY, USAGE_HINT, escape
from naltrexone_qa.slack_settings import SlackConfigError, SlackSettings
from slack_mock_server import BOT_ID, BOT_USER_ID, TEAM_ID, FakeAnswerer, MockSlack, answer_for

SECRET = "test-signing-secret"
CHANNEL = "C0CHANNEL"
DM = "D0DIRECT"
USER = "U0PERSON"
PINGS = ("<!channel>", "<!here>", "<!everyone>", "<@")


class Bot:
    """A built app, its executor and the mock it talks to."""

    def __init__(self, mock: MockSlack, answerer: Any, memory: Optional[ThreadMemory] = None) -> None:
        self.mock = mock
        self.executor = ThreadPoolExecutor(max_workers=10)
        settings = SlackSettings(bot_token="xoxb-test", signing_secret=SECRET, api_url=mock.url)
        self.app: App = build_app(answerer, settings, memory=memory, executor=self.executor)

    def send(self, body: dict[str, Any], retry: Optional[int] = None, secret: str = SECRET) -> BoltResponse:
        return self.app.dispatch(signed(body, retry, secret))

    def drain(self) -> None:
        """Wait until every acknowledged event has been answered (or ignored)."""
        self.executor.shutdown(wait=True)


def signed(body: dict[str, Any], retry: Optional[int] = None, secret: str = SECRET) -> BoltRequest:
    raw = json.dumps(body)
    ts = str(int(time.time()))
    headers = {
        "content-type": ["application/json"],
        "x-slack-request-timestamp": [ts],
        "x-slack-signature": [SignatureVerifier(secret).generate_signature(timestamp=ts, body=raw)],
    }
    if retry is not None:
        headers["x-slack-retry-num"] = [str(retry)]
        headers["x-slack-retry-reason"] = ["http_timeout"]
    return BoltRequest(body=raw, headers=headers)


_ids = iter(range(1, 1_000_000))


def envelope(event: dict[str, Any], event_id: Optional[str] = None) -> dict[str, Any]:
    return {
        "token": "legacy",
        "team_id": TEAM_ID,
        "api_app_id": "A0APP",
        "type": "event_callback",
        "event_id": event_id or f"Ev{next(_ids):06d}",
        "event_time": int(time.time()),
        "authorizations": [{"team_id": TEAM_ID, "user_id": BOT_USER_ID, "is_bot": True}],
        "event": event,
    }


def mention(
    text: str, ts: str, thread_ts: Optional[str] = None, channel: str = CHANNEL, **extra: Any
) -> dict[str, Any]:
    event = {
        "type": "app_mention",
        "user": USER,
        "text": f"<@{BOT_USER_ID}> {text}",
        "ts": ts,
        "channel": channel,
        "event_ts": ts,
        **extra,
    }
    if thread_ts:
        event["thread_ts"] = thread_ts
    return envelope(event)


def direct(text: str, ts: str, **extra: Any) -> dict[str, Any]:
    return envelope(
        {
            "type": "message",
            "channel_type": "im",
            "user": USER,
            "text": text,
            "ts": ts,
            "channel": DM,
            "event_ts": ts,
            **extra,
        }
    )


def blocks_text(post: dict[str, Any]) -> str:
    return json.dumps(post["blocks"], ensure_ascii=False)


def cites_a_corpus_title(post: dict[str, Any]) -> bool:
    """Whether the first citation's context block names one of the corpus articles."""
    meta = json.loads((Path(__file__).resolve().parents[1] / "corpus" / "metadata.json").read_text())
    titles = [escape(m["title"]) for m in meta.values()]
    first = [
        b["elements"][0]["text"]
        for b in post["blocks"]
        if b["type"] == "context" and b["elements"][0]["text"].startswith("*[1]* ")
    ]
    return bool(first) and any(first[0][len("*[1]* ") :].startswith(t) for t in titles)


@pytest.fixture()
def mock():
    server = MockSlack().start()
    yield server
    server.stop()


# --- real pipeline ------------------------------------------------------------


def test_mention_answered_in_its_thread_with_citations(mock, qa):
    bot = Bot(mock, qa)
    resp = bot.send(mention("Can naltrexone be taken with gabapentin?", "1700000000.000100"))
    assert resp.status == 200
    mock.wait_for("chat.postMessage")
    follow = bot.send(mention("what side effects?", "1700000000.000300", thread_ts="1700000000.000100"))
    assert follow.status == 200
    bot.drain()
    first, second = mock.posts()
    for post in (first, second):
        assert post["channel"] == CHANNEL and post["thread_ts"] == "1700000000.000100"
        assert "[1]" in post["text"]
        assert "Gabapentin" in blocks_text(post) and cites_a_corpus_title(post)
    # the follow-up was resolved against the thread's first question
    searched = [b for b in second["blocks"] if "Searched:" in json.dumps(b)]
    assert searched and "gabapentin" in searched[0]["elements"][0]["text"].lower()
    assert mock.calls_of("conversations.replies") == []  # the thread was in memory


def test_dm_answered_and_user_text_cannot_ping(mock, qa):
    bot = Bot(mock, qa)
    text = "<!channel> &lt;!here&gt; <@U0OTHER> what is naltrexone used for?"
    assert bot.send(direct(text, "1700000001.000100")).status == 200
    bot.drain()
    (post,) = mock.posts()
    assert post["channel"] == DM and post["thread_ts"] == "1700000001.000100"
    assert "[1]" in post["text"]
    raw = json.dumps(post)
    assert not any(p in raw for p in PINGS)


# --- protocol -----------------------------------------------------------------


def test_url_verification(mock):
    bot = Bot(mock, FakeAnswerer())
    resp = bot.send({"token": "legacy", "challenge": "challenge-xyz", "type": "url_verification"})
    assert resp.status == 200 and "challenge-xyz" in resp.body
    assert bot.send({"challenge": "c", "type": "url_verification"}, secret="wrong").status == 401


def test_forged_signature_rejected(mock):
    answerer = FakeAnswerer()
    bot = Bot(mock, answerer)
    body = mention("Is naltrexone addictive?", "1700000002.000100")
    assert bot.send(body, secret="forged-secret").status == 401
    unsigned = BoltRequest(body=json.dumps(body), headers={"content-type": ["application/json"]})
    assert bot.app.dispatch(unsigned).status == 401
    bot.drain()
    assert mock.posts() == [] and answerer.asked == []
    # the forged copy did not mark the event as seen: the genuine delivery is answered
    bot2 = Bot(mock, answerer)
    assert bot2.send(body).status == 200
    bot2.drain()
    assert len(mock.posts()) == 1


def test_retried_delivery_answered_once(mock):
    answerer = FakeAnswerer()
    bot = Bot(mock, answerer)
    body = mention("Is naltrexone addictive?", "1700000003.000100")
    assert bot.send(body).status == 200
    for n in (1, 2):
        assert bot.send(body, retry=n).status == 200  # acknowledged, so Slack stops retrying
    bot.drain()
    assert len(mock.posts()) == 1 and len(answerer.asked) == 1


def test_seen_set_is_bounded():
    seen = SeenSet(size=3)
    assert [seen.first(k) for k in "abca"] == [True, True, True, False]
    assert seen.first("d") and seen.first("b") is True  # "b" was the oldest, so it was forgotten
    assert seen.first("a") is False


def test_bot_messages_edits_and_subtypes_ignored(mock):
    answerer = FakeAnswerer()
    bot = Bot(mock, answerer)
    ignored = [
        direct("I am the bot", "1700000004.000100", user=BOT_USER_ID, bot_id=BOT_ID),  # ourselves
        direct("another bot", "1700000004.000200", bot_id="B0OTHER", subtype="bot_message"),
        direct("edited", "1700000004.000300", subtype="message_changed"),
        direct("gone", "1700000004.000400", subtype="message_deleted"),
        envelope(
            {
                "type": "message",
                "channel_type": "channel",
                "user": USER,
                "text": "hi",
                "ts": "1700000004.000500",
                "channel": CHANNEL,
            }
        ),  # not a DM, not a mention
        mention("from a bot", "1700000004.000600", bot_id="B0OTHER"),
    ]
    for body in ignored:
        assert bot.send(body).status == 200
    bot.drain()
    assert mock.posts() == [] and answerer.asked == []


def test_escaping_of_channel_pings_in_answers(mock):
    evil = "<!channel> call everyone <!here> <!everyone> <@U0VICTIM>"
    answerer = FakeAnswerer(lambda q: answer_for(q, evil, resolved_question=f"{q} {evil}"))
    bot = Bot(mock, answerer)
    bot.send(mention("what about alcohol?", "1700000005.000100"))
    bot.drain()
    (post,) = mock.posts()
    raw = json.dumps(post)
    assert not any(p in raw for p in PINGS)
    assert "&lt;!channel&gt;" in post["text"] and "&lt;!channel&gt;" in raw


# --- reliability --------------------------------------------------------------


def test_rate_limit_is_waited_out(mock):
    bot = Bot(mock, FakeAnswerer())
    mock.rate_limit_once("chat.postMessage", retry_after=1)
    bot.send(mention("Is naltrexone addictive?", "1700000006.000100"))
    bot.drain()
    limited = mock.calls_of("chat.postMessage", status=429)
    (ok,) = mock.calls_of("chat.postMessage")
    assert len(limited) == 1
    assert ok.at - limited[0].at >= 1.0  # waited for Retry-After before retrying
    assert ok.args["thread_ts"] == "1700000006.000100"


def test_answering_is_off_the_ack_path(mock):
    release = threading.Event()

    def slow(q: str):
        assert release.wait(10)
        return answer_for(q)

    bot = Bot(mock, FakeAnswerer(slow))
    started = time.monotonic()
    assert bot.send(mention("Is naltrexone addictive?", "1700000007.000100")).status == 200
    assert time.monotonic() - started < 2.0  # acknowledged while the answer is still pending
    assert mock.posts() == []
    release.set()
    bot.drain()
    assert len(mock.posts()) == 1


def test_ten_mentions_at_once_each_in_its_own_thread(mock):
    def answer(q: str):
        time.sleep(0.05)
        return answer_for(q)

    bot = Bot(mock, FakeAnswerer(answer))
    bodies = [
        mention(f"question number {i} about naltrexone", f"1700000100.{i:06d}", channel=f"C{i % 3}") for i in range(10)
    ]
    with ThreadPoolExecutor(max_workers=10) as pool:
        statuses = list(pool.map(lambda b: bot.send(b).status, bodies))
    assert statuses == [200] * 10
    bot.drain()
    posts = mock.posts()
    assert len(posts) == 10
    by_thread = {(p["channel"], p["thread_ts"]): p for p in posts}
    for i, body in enumerate(bodies):
        post = by_thread[(body["event"]["channel"], body["event"]["ts"])]
        assert f"question number {i} about naltrexone" in post["text"]


def test_different_threads_are_answered_concurrently_same_thread_in_turn(mock):
    """No global answer lock: two mentions in two threads are answered at the same time."""
    active, peak, lock = [0], [0], threading.Lock()

    def slow(q: str):
        with lock:
            active[0] += 1
            peak[0] = max(peak[0], active[0])
        time.sleep(0.4)
        with lock:
            active[0] -= 1
        return answer_for(q)

    bot = Bot(mock, FakeAnswerer(slow))
    t0 = time.perf_counter()
    for i in range(2):
        assert bot.send(mention(f"concurrent question {i}", f"1700000200.{i:06d}", channel=f"D{i}")).status == 200
    bot.drain()
    assert peak[0] == 2 and time.perf_counter() - t0 < 0.75  # both at once, not 0.8 s in turn
    assert len(mock.posts()) == 2
    # Two questions in ONE thread are answered in turn, so the second sees the first as history.
    peak[0] = 0
    bot = Bot(mock, FakeAnswerer(slow))
    first = mention("first in thread", "1700000300.000001", channel="C9")
    second = mention("second in thread", "1700000300.000002", channel="C9", thread_ts="1700000300.000001")
    bot.send(first)
    bot.send(second)
    bot.drain()
    assert peak[0] == 1


def test_exception_posts_apology_and_bot_keeps_serving(mock, caplog):
    def broken(q: str):
        if "boom" in q:
            raise RuntimeError("index exploded")
        return answer_for(q)

    bot = Bot(mock, FakeAnswerer(broken))
    with caplog.at_level(logging.ERROR, logger="naltrexone_qa.frontends.slack.app"):
        bot.send(mention("boom", "1700000008.000100", thread_ts="1700000008.000001"))
        bot.send(mention("Is naltrexone addictive?", "1700000008.000200"))
        bot.drain()
    apology = [p for p in mock.posts() if p["text"] == APOLOGY]
    assert len(apology) == 1 and apology[0]["thread_ts"] == "1700000008.000001"
    assert any("index exploded" in (r.exc_text or "") or r.exc_info for r in caplog.records)
    assert len(mock.posts()) == 2  # the next question was answered


def test_empty_mention_gets_a_hint(mock):
    answerer = FakeAnswerer()
    bot = Bot(mock, answerer)
    bot.send(mention("", "1700000009.000100"))
    bot.drain()
    (post,) = mock.posts()
    assert post["text"] == USAGE_HINT and answerer.asked == []


# --- conversation per thread ----------------------------------------------------


def test_thread_history_read_back_after_restart(mock):
    root = "1700000010.000100"
    mock.add_message(
        CHANNEL,
        root,
        {
            "type": "message",
            "user": USER,
            "ts": root,
            "text": f"<@{BOT_USER_ID}> Can naltrexone be taken with gabapentin?",
        },
    )
    mock.add_message(
        CHANNEL,
        root,
        {"type": "message", "user": BOT_USER_ID, "bot_id": BOT_ID, "ts": "1700000010.000200", "text": "quoted answer"},
    )
    mock.add_message(
        CHANNEL,
        root,
        {"type": "message", "user": "U0CHATTY", "ts": "1700000010.000250", "text": "side chatter, not to the bot"},
    )
    answerer = FakeAnswerer()
    bot = Bot(mock, answerer)  # a fresh process: nothing in memory
    bot.send(mention("what side effects?", "1700000010.000300", thread_ts=root))
    mock.wait_for("chat.postMessage")
    bot.send(mention("and with alcohol?", "1700000010.000400", thread_ts=root))
    bot.drain()
    assert answerer.asked[0] == ("what side effects?", ["Can naltrexone be taken with gabapentin?"])
    assert answerer.asked[1][1] == ["Can naltrexone be taken with gabapentin?", "what side effects?"]
    (replies,) = mock.calls_of("conversations.replies")  # read once, then remembered
    assert replies.args["channel"] == CHANNEL and replies.args["ts"] == root


def in_channel(text: str, ts: str, thread_ts: Optional[str] = None, channel_type: str = "channel") -> dict[str, Any]:
    """A ``message.channels`` (or ``message.groups``) event: what Slack sends for every channel message."""
    event = {"type": "message", "channel_type": channel_type, "user": USER, "text": text, "ts": ts}
    event.update(channel=CHANNEL, event_ts=ts)
    if thread_ts:
        event["thread_ts"] = thread_ts
    return envelope(event)


def test_channel_follow_up_in_the_bots_thread_needs_no_mention(mock):
    answerer = FakeAnswerer()
    bot = Bot(mock, answerer)
    root = "1700000040.000100"
    bot.send(mention("Can naltrexone be taken with gabapentin?", root))
    bot.send(in_channel(f"<@{BOT_USER_ID}> Can naltrexone be taken with gabapentin?", root))  # its message twin
    mock.wait_for("chat.postMessage")
    bot.send(in_channel("what side effects?", "1700000040.000300", thread_ts=root))
    mock.wait_for("chat.postMessage", count=2)
    # a reply that mentions the bot comes twice (app_mention and message): answered once
    bot.send(mention("and with alcohol?", "1700000040.000400", thread_ts=root))
    bot.send(in_channel(f"<@{BOT_USER_ID}> and with alcohol?", "1700000040.000400", thread_ts=root))
    mock.wait_for("chat.postMessage", count=3)
    bot.send(in_channel("<@U0COLLEAGUE> does this match what you saw?", "1700000040.000500", thread_ts=root))
    bot.send(in_channel("a top-level message in the channel", "1700000040.000600"))
    bot.send(in_channel("is it addictive?", "1700000040.000700", thread_ts=root, channel_type="group"))
    bot.drain()
    assert [q for q, _ in answerer.asked] == [
        "Can naltrexone be taken with gabapentin?",
        "what side effects?",
        "and with alcohol?",
        "is it addictive?",
    ]
    assert answerer.asked[1][1] == ["Can naltrexone be taken with gabapentin?"]
    assert answerer.asked[3][1][-1] == "and with alcohol?"
    assert {p["thread_ts"] for p in mock.posts()} == {root} and len(mock.posts()) == 4
    assert mock.calls_of("conversations.replies") == []  # the thread was in memory throughout


def test_channel_replies_in_other_threads_are_left_alone_and_read_once(mock):
    root = "1700000050.000100"
    mock.add_message(CHANNEL, root, {"type": "message", "user": "U0OTHER", "ts": root, "text": "lunch?"})
    answerer = FakeAnswerer()
    bot = Bot(mock, answerer)
    bot.send(in_channel("sure, where?", "1700000050.000200", thread_ts=root))
    mock.wait_for("conversations.replies")
    bot.send(in_channel("the usual place", "1700000050.000300", thread_ts=root))
    bot.drain()
    assert mock.posts() == [] and answerer.asked == []
    assert len(mock.calls_of("conversations.replies")) == 1  # remembered as not ours


def test_channel_follow_up_after_a_restart_reads_the_thread_back(mock):
    root = "1700000060.000100"
    for msg in (
        {"user": USER, "ts": root, "text": f"<@{BOT_USER_ID}> Can naltrexone be taken with gabapentin?"},
        {"user": "U0CHATTY", "ts": "1700000060.000150", "text": "before the bot answered: not a turn"},
        {"user": BOT_USER_ID, "bot_id": BOT_ID, "ts": "1700000060.000200", "text": "quoted answer"},
        {"user": USER, "ts": "1700000060.000300", "text": "what side effects?"},
        {"user": "U0CHATTY", "ts": "1700000060.000350", "text": "<@U0PERSON> see the second quote"},
        {"user": BOT_USER_ID, "bot_id": BOT_ID, "ts": "1700000060.000400", "text": "quoted answer"},
    ):
        mock.add_message(CHANNEL, root, {"type": "message", **msg})
    answerer = FakeAnswerer()
    bot = Bot(mock, answerer)  # a fresh process: nothing in memory
    bot.send(in_channel("and with alcohol?", "1700000060.000500", thread_ts=root))
    bot.drain()
    assert answerer.asked == [("and with alcohol?", ["Can naltrexone be taken with gabapentin?", "what side effects?"])]
    (post,) = mock.posts()
    assert post["thread_ts"] == root
    assert len(mock.calls_of("conversations.replies")) == 1


def test_memory_is_bounded_by_count_and_age():
    now = [0.0]
    mem = ThreadMemory(max_threads=2, max_age=60, max_turns=3, clock=lambda: now[0])
    mem.add(("C", "1"), "a")
    mem.add(("C", "2"), "b")
    assert mem.turns(("C", "1")) == ["a"]  # touching makes "2" the least recently used
    mem.add(("C", "3"), "c")
    assert mem.turns(("C", "2")) is None and len(mem) == 2
    for q in "defg":
        mem.add(("C", "1"), q)
    assert mem.turns(("C", "1")) == ["e", "f", "g"]
    now[0] = 61
    assert mem.turns(("C", "1")) is None and len(mem) == 0


def test_settings_name_the_missing_variable():
    with pytest.raises(SlackConfigError, match="SLACK_SIGNING_SECRET"):
        SlackSettings.from_env(http=True, env={"SLACK_BOT_TOKEN": "xoxb-1"})
    with pytest.raises(SlackConfigError, match="SLACK_BOT_TOKEN and SLACK_APP_TOKEN"):
        SlackSettings.from_env(http=False, env={})
    with pytest.raises(SlackConfigError, match="xapp-"):
        SlackSettings.from_env(http=False, env={"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "xoxb-2"})
    s = SlackSettings.from_env(
        http=True,
        env={"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s", "SLACK_API_URL": "http://127.0.0.1:9/api/"},
    )
    assert s.api_url == "http://127.0.0.1:9/api/" and s.app_token is None


def test_socket_mode_app_answers_without_signatures(mock):
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    executor = ThreadPoolExecutor(max_workers=2)
    settings = SlackSettings(bot_token="xoxb-test", app_token="xapp-test", api_url=mock.url)
    app = build_app(FakeAnswerer(), settings, socket_mode=True, executor=executor)
    handler = SocketModeHandler(app, settings.app_token)  # built, not connected: no network in tests
    assert handler.client.web_client.base_url == mock.url
    body = mention("Is naltrexone addictive?", "1700000030.000100")
    assert app.dispatch(BoltRequest(body=body, mode="socket_mode")).status == 200
    assert app.dispatch(BoltRequest(body=body, mode="socket_mode")).status == 200  # redelivered
    executor.shutdown(wait=True)
    (post,) = mock.posts()
    assert post["thread_ts"] == "1700000030.000100"


def test_cli_reports_missing_settings_with_exit_code_2():
    unset = {name: None for name in ("SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "SLACK_SIGNING_SECRET")}
    result = CliRunner().invoke(cli, ["slack", "--http", "--port", "3999"], env={**unset, "SLACK_BOT_TOKEN": "xoxb-1"})
    assert result.exit_code == 2 and "SLACK_SIGNING_SECRET" in result.output
    result = CliRunner().invoke(cli, ["slack"], env=unset)
    assert result.exit_code == 2 and "SLACK_BOT_TOKEN" in result.output and "SLACK_APP_TOKEN" in result.output


# --- the command as users run it ------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def http_post(port: int, body: dict[str, Any], secret: str = SECRET) -> int:
    req = signed(body, secret=secret)
    headers = {k: v[0] for k, v in req.headers.items()}
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/slack/events", data=req.raw_body.encode(), headers=headers, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as resp:
            return int(resp.status)
    except urllib.error.HTTPError as err:
        return int(err.code)


@pytest.fixture()
def http_bot(mock, index_dir, corpus_dir, tmp_path: Path):
    """``naltrexone-qa slack --http --port P`` in a subprocess, talking to the mock."""
    port = free_port()
    script = Path(sys.executable).with_name("naltrexone-qa")
    cmd = [str(script)] if script.exists() else [sys.executable, "-m", "naltrexone_qa"]
    env = {**os.environ, "SLACK_BOT_TOKEN": "xoxb-test", "SLACK_SIGNING_SECRET": SECRET, "SLACK_API_URL": mock.url}
    env["NALTREXONE_QA_SLACK_EVENTS_DB"] = str(tmp_path / "seen.sqlite3")  # ids repeat between test runs
    env.pop("SLACK_APP_TOKEN", None)
    log_file = tmp_path / "bot.log"
    with open(log_file, "w") as out:
        proc = subprocess.Popen(
            cmd + ["slack", "--http", "--port", str(port), "--index", str(index_dir), "--corpus", str(corpus_dir)],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 180
        while True:
            assert proc.poll() is None, f"bot exited {proc.returncode}: {log_file.read_text()}"
            assert time.monotonic() < deadline, f"bot did not start: {log_file.read_text()}"
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.25)
        yield port
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def test_subprocess_http_mode_answers_a_signed_mention_in_its_thread(mock, http_bot):
    port = http_bot
    assert http_post(port, {"type": "url_verification", "challenge": "xyz"}) == 200
    assert http_post(port, mention("Is naltrexone addictive?", "1700000020.000100"), secret="forged") == 401
    thread = "1700000020.000001"
    assert (
        http_post(port, mention("Can naltrexone be taken with gabapentin?", "1700000020.000200", thread_ts=thread))
        == 200
    )
    (call,) = mock.wait_for("chat.postMessage", timeout=60)
    post = call.args
    assert post["channel"] == CHANNEL and post["thread_ts"] == thread
    assert "[1]" in post["text"]
    assert cites_a_corpus_title(post)


def test_manifest_lists_the_scopes_and_events():
    yaml = pytest.importorskip("yaml")
    manifest = yaml.safe_load((Path(__file__).resolve().parents[1] / "slack" / "manifest.yml").read_text())
    scopes = set(manifest["oauth_config"]["scopes"]["bot"])
    assert {"app_mentions:read", "chat:write", "im:history", "channels:history", "groups:history"} <= scopes
    events = set(manifest["settings"]["event_subscriptions"]["bot_events"])
    assert events == {"app_mention", "message.im", "message.channels", "message.groups"}
    assert manifest["settings"]["socket_mode_enabled"] is True


def test_no_token_will_be_unused_warning(mock, monkeypatch, caplog):
    """Bolt reads SLACK_BOT_TOKEN itself and warned on every start that our client's token wins (issue 13)."""
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-test")
    with caplog.at_level(logging.DEBUG):
        Bot(mock, FakeAnswerer()).drain()
    assert not [r for r in caplog.records if "will be unused" in r.getMessage()]
