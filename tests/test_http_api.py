"""The HTTP API on a real uvicorn server over 127.0.0.1: contract, errors, access control, metrics.

Fast tier: the real pipeline with the hash embedder (``hash_qa``), or test
doubles where a test needs an answerer that blocks, fails or counts.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest

from live_server import LiveServer
from naltrexone_qa.frontends.http.app import create_app
from naltrexone_qa.frontends.http.service import Service
from naltrexone_qa.render.json_out import answer_json
from naltrexone_qa.server_settings import ServerSettings
from slack_mock_server import FakeAnswerer, answer_for

KEY = "test-key-0123456789"


def without_timings(d: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in d.items() if k != "timings_ms"}


@pytest.fixture(scope="module")
def api(hash_qa):
    """The real pipeline (hash embedder) behind the real server, open access."""
    with LiveServer(create_app(Service.of(hash_qa), ServerSettings())) as url:
        yield url


def assert_error(resp: httpx.Response, status: int) -> dict[str, Any]:
    assert resp.status_code == status, resp.text
    assert resp.headers["content-type"].startswith("application/json")
    body = resp.json()
    assert set(body) >= {"error", "message", "request_id"} and body["message"]
    assert "Traceback" not in resp.text and 'File "' not in resp.text
    assert body["request_id"] == resp.headers["x-request-id"]
    return body


def test_ask_returns_exactly_the_ask_json_object(api, hash_qa):
    for q in ("Is naltrexone addictive?", "How do I reset my router?"):
        resp = httpx.post(f"{api}/v1/ask", json={"question": q})
        assert resp.status_code == 200 and resp.headers["content-type"] == "application/json"
        got = resp.json()
        expected = json.loads(answer_json(hash_qa.ask(q)))
        assert list(got) == list(expected)  # same fields, same order as `ask --json`
        assert without_timings(got) == without_timings(expected)


def test_history_resolves_a_follow_up_like_the_cli(api, hash_qa):
    history = ["Can naltrexone be taken with gabapentin?"]
    resp = httpx.post(f"{api}/v1/ask", json={"question": "what side effects?", "history": history})
    assert resp.status_code == 200
    got = resp.json()
    assert "gabapentin" in got["resolved_question"].lower()
    assert without_timings(got) == without_timings(hash_qa.ask("what side effects?", history=history).to_dict())
    dense = httpx.post(f"{api}/v1/ask", json={"question": "Is naltrexone addictive?", "mode": "bm25"}).json()
    assert dense["mode"] == "bm25"


def test_conflicts_as_conflicts_json(api, hash_qa):
    resp = httpx.get(f"{api}/v1/conflicts")
    assert resp.status_code == 200
    assert resp.json() == {"conflicts": [c.to_dict() for c in hash_qa.conflicts()]}
    assert resp.json()["conflicts"]


BAD = [
    ("empty question", {"question": ""}, 422),
    ("blank question", {"question": "  \n\t "}, 422),
    ("missing question", {"history": []}, 422),
    ("question not a string", {"question": 42}, 422),
    ("history not a list", {"question": "is it safe?", "history": "earlier"}, 422),
    ("history too long", {"question": "is it safe?", "history": ["a turn"] * 21}, 422),
    ("history turn too long", {"question": "is it safe?", "history": ["x" * 2001]}, 422),
    ("unknown mode", {"question": "is it safe?", "mode": "psychic"}, 422),
    ("unknown field", {"question": "is it safe?", "temperature": 2}, 422),
    ("question over the limit", {"question": "naltrexone " * 200}, 413),
]


@pytest.mark.parametrize("why,body,status", BAD, ids=[b[0] for b in BAD])
def test_bad_input_is_a_4xx_json_body(api, why, body, status):
    err = assert_error(httpx.post(f"{api}/v1/ask", json=body), status)
    if status == 413:
        assert "2,000" in err["message"]


def test_malformed_json_and_other_bad_requests(api):
    headers = {"content-type": "application/json"}
    assert_error(httpx.post(f"{api}/v1/ask", content=b'{"question": ', headers=headers), 400)
    assert_error(httpx.post(f"{api}/v1/ask", content=b"\xff\xfe", headers=headers), 400)
    err = assert_error(httpx.post(f"{api}/v1/ask", content=b'{"question": "hi"}'), 422)
    assert "Content-Type: application/json" in err["message"]
    assert_error(httpx.post(f"{api}/v1/ask", content=b"[" * 70_000, headers=headers), 413)
    assert_error(httpx.get(f"{api}/v1/ask"), 405)
    assert_error(httpx.get(f"{api}/no/such/page"), 404)


def test_request_ids_are_echoed_and_logged(api, caplog):
    with caplog.at_level(logging.INFO, logger="naltrexone_qa.access"):
        resp = httpx.get(f"{api}/healthz", headers={"X-Request-ID": "probe-123"})
        made_up = httpx.get(f"{api}/healthz", headers={"X-Request-ID": "bad id with spaces"})
    assert resp.headers["x-request-id"] == "probe-123"
    assert made_up.headers["x-request-id"] != "bad id with spaces" and len(made_up.headers["x-request-id"]) == 32
    lines = [r.getMessage() for r in caplog.records if r.name == "naltrexone_qa.access"]
    assert any("request_id=probe-123" in line and '"GET /healthz" 200' in line for line in lines)


def test_docs_and_openapi(api):
    assert httpx.get(f"{api}/docs").status_code == 200
    spec = httpx.get(f"{api}/openapi.json").json()
    assert {"/v1/ask", "/v1/conflicts", "/healthz", "/readyz", "/metrics"} <= set(spec["paths"])


def test_metrics_count_requests_abstentions_and_flags(api):
    def value(text: str, name: str) -> float:
        rows = [line for line in text.splitlines() if line.startswith(name + " ") or line.startswith(name + "{")]
        return sum(float(r.rsplit(" ", 1)[1]) for r in rows)

    before = httpx.get(f"{api}/metrics").text
    httpx.post(f"{api}/v1/ask", json={"question": "How do I reset my router?"})
    flagged = httpx.post(f"{api}/v1/ask", json={"question": "Can naltrexone help with anxiety?"}).json()
    httpx.post(f"{api}/v1/ask", json={"question": ""})
    after = httpx.get(f"{api}/metrics")
    assert after.status_code == 200 and after.headers["content-type"].startswith("text/plain")
    text = after.text
    ok = 'naltrexone_qa_http_requests_total{endpoint="/v1/ask",method="POST",status="200"}'
    bad = 'naltrexone_qa_http_requests_total{endpoint="/v1/ask",method="POST",status="422"}'
    assert value(text, ok) - value(before, ok) == 2 and value(text, bad) - value(before, bad) == 1
    assert 'naltrexone_qa_http_request_duration_seconds_bucket{endpoint="/v1/ask"' in text
    assert value(text, "naltrexone_qa_abstentions_total") - value(before, "naltrexone_qa_abstentions_total") >= 1
    flags = value(text, "naltrexone_qa_disagreement_flags_total") - value(
        before, "naltrexone_qa_disagreement_flags_total"
    )
    assert flags == len(flagged["conflicts"])


# --- access control -------------------------------------------------------------


def test_api_key_required_except_for_health(tmp_path):
    key_file = tmp_path / "key"
    key_file.write_text(KEY + "\n")
    app = create_app(Service.of(FakeAnswerer()), ServerSettings(api_key_file=key_file))
    with LiveServer(app) as url:
        ask = {"question": "Is naltrexone addictive?"}
        err = assert_error(httpx.post(f"{url}/v1/ask", json=ask), 401)
        assert "Bearer" in err["message"]
        assert httpx.post(f"{url}/v1/ask", json=ask).headers["www-authenticate"] == "Bearer"
        assert_error(httpx.post(f"{url}/v1/ask", json=ask, headers={"Authorization": f"Bearer {KEY}x"}), 401)
        assert_error(httpx.post(f"{url}/v1/ask", json=ask, headers={"Authorization": KEY}), 401)
        for path in ("/v1/conflicts", "/metrics", "/docs", "/openapi.json"):
            assert_error(httpx.get(f"{url}{path}"), 401)
        good = {"Authorization": f"Bearer {KEY}"}
        assert httpx.post(f"{url}/v1/ask", json=ask, headers=good).status_code == 200
        assert httpx.get(f"{url}/v1/conflicts", headers=good).status_code == 200
        assert httpx.get(f"{url}/metrics", headers=good).status_code == 200
        assert httpx.get(f"{url}/healthz").status_code == 200 and httpx.get(f"{url}/readyz").status_code == 200


def test_rate_limit_answers_429_with_retry_after():
    app = create_app(Service.of(FakeAnswerer()), ServerSettings(rate_limit="3/minute"))
    with LiveServer(app) as url:
        codes = [httpx.post(f"{url}/v1/ask", json={"question": f"q {i}"}).status_code for i in range(3)]
        assert codes == [200, 200, 200]
        limited = httpx.post(f"{url}/v1/ask", json={"question": "one more"})
        assert_error(limited, 429)
        assert 1 <= int(limited.headers["retry-after"]) <= 60
        assert httpx.get(f"{url}/healthz").status_code == 200  # probes are never limited


def test_cors_off_unless_origins_listed():
    origin = {"Origin": "https://clinic.example", "Access-Control-Request-Method": "POST"}
    with LiveServer(create_app(Service.of(FakeAnswerer()), ServerSettings())) as url:
        resp = httpx.options(f"{url}/v1/ask", headers=origin)
        assert "access-control-allow-origin" not in resp.headers
    server = ServerSettings(cors_origins=("https://clinic.example",))
    with LiveServer(create_app(Service.of(FakeAnswerer()), server)) as url:
        resp = httpx.options(f"{url}/v1/ask", headers=origin)
        assert resp.headers["access-control-allow-origin"] == "https://clinic.example"
        other = httpx.options(f"{url}/v1/ask", headers={**origin, "Origin": "https://evil.example"})
        assert other.headers.get("access-control-allow-origin") != "https://evil.example"


# --- readiness, failures, timeouts, concurrency ------------------------------------------


def test_readyz_waits_for_the_pipeline_and_ask_answers_503_until_then():
    release = threading.Event()

    def load() -> Any:
        assert release.wait(10)
        return FakeAnswerer()

    with LiveServer(create_app(Service(load, warm=False), ServerSettings())) as url:
        assert httpx.get(f"{url}/healthz").status_code == 200
        assert_error(httpx.get(f"{url}/readyz"), 503)
        busy = assert_error(httpx.post(f"{url}/v1/ask", json={"question": "is it safe?"}), 503)
        assert "loading" in busy["message"]
        release.set()
        deadline = time.monotonic() + 10
        while httpx.get(f"{url}/readyz").status_code != 200:
            assert time.monotonic() < deadline
            time.sleep(0.05)
        assert httpx.post(f"{url}/v1/ask", json={"question": "is it safe?"}).status_code == 200


def test_internal_error_is_a_500_json_body_without_a_trace():
    def broken(q: str) -> Any:
        raise RuntimeError("index exploded at /secret/path")

    with LiveServer(create_app(Service.of(FakeAnswerer(broken)), ServerSettings())) as url:
        err = assert_error(httpx.post(f"{url}/v1/ask", json={"question": "is it safe?"}), 500)
        assert "secret" not in json.dumps(err) and err["request_id"] in err["message"]


def test_request_timeout_is_a_504():
    release = threading.Event()

    def slow(q: str) -> Any:
        release.wait(5)
        return answer_for(q)

    server = ServerSettings(request_timeout=0.3)
    with LiveServer(create_app(Service.of(FakeAnswerer(slow)), server)) as url:
        err = assert_error(httpx.post(f"{url}/v1/ask", json={"question": "is it safe?"}), 504)
        assert "0.3 s" in err["message"]
        release.set()


def test_answers_run_concurrently_without_a_global_lock():
    active, peak, lock = [0], [0], threading.Lock()

    def slow(q: str) -> Any:
        with lock:
            active[0] += 1
            peak[0] = max(peak[0], active[0])
        time.sleep(0.3)
        with lock:
            active[0] -= 1
        return answer_for(q)

    with LiveServer(create_app(Service.of(FakeAnswerer(slow), threads=8), ServerSettings())) as url:
        started = time.perf_counter()
        with ThreadPoolExecutor(8) as pool:
            codes = list(
                pool.map(lambda i: httpx.post(f"{url}/v1/ask", json={"question": f"q{i}"}).status_code, range(8))
            )
        elapsed = time.perf_counter() - started
    assert codes == [200] * 8
    assert peak[0] == 8 and elapsed < 8 * 0.3  # all at once, not one after another


def test_server_settings_from_env_and_key_file_errors(tmp_path):
    from naltrexone_qa.errors import UsageError

    env = {
        "NALTREXONE_QA_PORT": "9001",
        "NALTREXONE_QA_API_KEY": "sekret-key",
        "NALTREXONE_QA_CORS_ORIGINS": "https://a.example, https://b.example",
        "NALTREXONE_QA_RATE_LIMIT": "10/second",
    }
    s = ServerSettings.from_env(env, host="0.0.0.0")
    assert (s.host, s.port, s.key(), s.rate_limit) == ("0.0.0.0", 9001, "sekret-key", "10/second")
    assert s.cors_origins == ("https://a.example", "https://b.example") and "sekret" not in repr(s)
    assert ServerSettings.from_env(s.to_env()) == s
    with pytest.raises(UsageError, match="not a number"):
        ServerSettings.from_env({"NALTREXONE_QA_PORT": "eighty"})
    with pytest.raises(UsageError, match="cannot read the API key file"):
        ServerSettings(api_key_file=tmp_path / "missing").key()
    (tmp_path / "empty").write_text("\n")
    with pytest.raises(UsageError, match="is empty"):
        ServerSettings(api_key_file=tmp_path / "empty").key()


def test_serve_command_reports_bad_settings_with_exit_code_2(tmp_path):
    from click.testing import CliRunner

    from naltrexone_qa.frontends.cli import cli

    missing = CliRunner().invoke(cli, ["serve", "--api-key-file", str(tmp_path / "nope"), "--index", str(tmp_path)])
    assert missing.exit_code == 2 and "cannot read the API key file" in missing.output
    lite = CliRunner().invoke(cli, ["serve", "--store", "milvus", "--workers", "2", "--index", str(tmp_path)])
    assert lite.exit_code == 2 and "Milvus Lite" in lite.output
    bad = CliRunner().invoke(cli, ["serve", "--port", "0"])
    assert bad.exit_code == 2


def test_a_non_loopback_address_without_a_key_is_flagged(tmp_path):
    from naltrexone_qa.frontends.http.run import exposed_without_key

    assert not exposed_without_key(ServerSettings(host="127.0.0.1"))
    assert exposed_without_key(ServerSettings(host="0.0.0.0"))
    assert not exposed_without_key(ServerSettings(host="0.0.0.0", api_key="k"))
