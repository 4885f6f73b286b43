"""Slack on the ASGI server: seen ids that survive a restart, concurrent mentions over real HTTP.

The real Bolt app answers through Bolt's Starlette adapter on a real uvicorn
server at 127.0.0.1, talking to the local mock of Slack's Web API.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest

from live_server import LiveServer
from naltrexone_qa.frontends.http.app import create_app
from naltrexone_qa.frontends.http.service import Service
from naltrexone_qa.frontends.slack.app import build_app
from naltrexone_qa.frontends.slack.seen import SeenEvents
from naltrexone_qa.slack_settings import SlackSettings
from slack_mock_server import FakeAnswerer, MockSlack, answer_for
from test_slack_app import SECRET, mention, signed


@pytest.fixture()
def mock():
    server = MockSlack().start()
    yield server
    server.stop()


def settings_for(mock: MockSlack) -> SlackSettings:
    return SlackSettings(bot_token="xoxb-test", signing_secret=SECRET, api_url=mock.url)


def test_retry_after_a_restart_is_not_answered_twice(mock, tmp_path: Path):
    db = tmp_path / "seen.sqlite3"
    answerer = FakeAnswerer()
    body = mention("Is naltrexone addictive?", "1700000400.000100")

    first_pool = ThreadPoolExecutor(max_workers=2)
    first = build_app(answerer, settings_for(mock), executor=first_pool, seen=SeenEvents(db))
    assert first.dispatch(signed(body)).status == 200
    first_pool.shutdown(wait=True)  # the process stops here

    second_pool = ThreadPoolExecutor(max_workers=2)
    second = build_app(answerer, settings_for(mock), executor=second_pool, seen=SeenEvents(db))
    assert second.dispatch(signed(body, retry=1)).status == 200  # acknowledged, so Slack stops retrying
    other = mention("Is it safe with alcohol?", "1700000400.000200")
    assert second.dispatch(signed(other)).status == 200
    second_pool.shutdown(wait=True)
    assert len(answerer.asked) == 2 and len(mock.posts()) == 2


def test_seen_ids_expire_after_their_time_to_live(tmp_path: Path):
    now = [1000.0]
    seen = SeenEvents(tmp_path / "seen.sqlite3", ttl=60, clock=lambda: now[0])
    assert seen.first("Ev1") and not seen.first("Ev1")
    now[0] += 30
    assert seen.first("Ev2") and not seen.first("Ev1")
    now[0] += 31  # Ev1 is 61 s old: forgotten, and deleted from the file
    assert seen.first("Ev1") and len(seen) == 2
    again = SeenEvents(tmp_path / "seen.sqlite3", ttl=60, clock=lambda: now[0])  # another process
    assert not again.first("Ev2")


def test_two_mentions_answered_concurrently_over_http(mock, tmp_path: Path):
    active, peak, lock = [0], [0], threading.Lock()

    def slow(q: str) -> Any:
        with lock:
            active[0] += 1
            peak[0] = max(peak[0], active[0])
        time.sleep(0.5)
        with lock:
            active[0] -= 1
        return answer_for(q)

    pool = ThreadPoolExecutor(max_workers=4)
    service = Service.of(FakeAnswerer(slow))
    bolt = build_app(service, settings_for(mock), executor=pool, seen=SeenEvents(tmp_path / "seen.sqlite3"))
    with LiveServer(create_app(service, api=False, slack=bolt)) as url:
        bodies = [mention(f"concurrent question {i}", f"1700000500.{i:06d}", channel=f"C{i}") for i in range(2)]

        def post(body: dict[str, Any]) -> int:
            req = signed(body)
            headers = {k: v[0] for k, v in req.headers.items()}
            return httpx.post(f"{url}/slack/events", content=req.raw_body.encode(), headers=headers).status_code

        started = time.perf_counter()
        with ThreadPoolExecutor(2) as senders:
            assert list(senders.map(post, bodies)) == [200, 200]
        forged = signed(mention("forged", "1700000500.000009"), secret="wrong")
        headers = {k: v[0] for k, v in forged.headers.items()}
        assert httpx.post(f"{url}/slack/events", content=forged.raw_body.encode(), headers=headers).status_code == 401
        mock.wait_for("chat.postMessage", count=2, timeout=10)
        elapsed = time.perf_counter() - started
        assert httpx.get(f"{url}/healthz").status_code == 200
        assert httpx.post(f"{url}/v1/ask", json={"question": "x"}).status_code == 404  # Slack-only server
    pool.shutdown(wait=True)
    assert peak[0] == 2 and elapsed < 1.0  # both at once, not 1 s in turn
    assert sorted(p["thread_ts"] for p in mock.posts()) == [b["event"]["ts"] for b in bodies]
    assert all("[1]" in p["text"] for p in mock.posts())


def test_no_client_token_warning_when_the_token_is_in_the_environment(mock, monkeypatch, caplog):
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-test")
    with caplog.at_level(logging.WARNING):
        build_app(FakeAnswerer(), settings_for(mock), executor=ThreadPoolExecutor(1))
    assert not [r for r in caplog.records if "will be unused" in r.getMessage()]
    assert json.dumps([r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]) == "[]"
