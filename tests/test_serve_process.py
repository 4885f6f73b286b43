"""``naltrexone-qa serve`` as users run it: a subprocess on 127.0.0.1, several workers, signals.

Slow tier (subprocesses). The throughput test uses the hash-embedder pipeline:
on this two-core machine, shared with other jobs, the real model's timing
varies too much for a ratio to be stable; the server code on the path is the
same either way.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Iterator

import httpx
import pytest

from live_server import free_port

pytestmark = pytest.mark.slow
REPO = Path(__file__).resolve().parents[1]
KEY = "process-test-key"
AUTH = {"Authorization": f"Bearer {KEY}"}


def cli() -> list[str]:
    script = Path(sys.executable).with_name("naltrexone-qa")
    return [str(script)] if script.exists() else [sys.executable, "-m", "naltrexone_qa"]


def wait_ready(url: str, proc: subprocess.Popen, log: Path, timeout: float = 240) -> None:
    deadline = time.monotonic() + timeout
    while True:
        assert proc.poll() is None, f"server exited {proc.returncode}: {log.read_text()}"
        assert time.monotonic() < deadline, f"server not ready: {log.read_text()}"
        try:
            if httpx.get(f"{url}/readyz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.25)


def stop(proc: subprocess.Popen, timeout: float = 60) -> int:
    proc.send_signal(signal.SIGTERM)
    try:
        return proc.wait(timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        raise


@pytest.fixture(scope="module")
def hash_server(tmp_path_factory: pytest.TempPathFactory, corpus_dir: Path) -> Iterator[tuple[str, Any]]:
    """`serve --workers 2` on the hash-embedder pipeline, with an API key; yields (url, process)."""
    folder = tmp_path_factory.mktemp("serve")
    port = free_port()
    env = {**os.environ, "NALTREXONE_QA_API_KEY": KEY}
    args = ["serve", "--model", "hash:256", "--store", "numpy", "--index", str(folder / "index")]
    args += ["--corpus", str(corpus_dir), "--port", str(port), "--workers", "2"]
    log = folder / "server.log"
    with open(log, "w") as out:
        proc = subprocess.Popen(cli() + ["-v"] + args, env=env, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_ready(url, proc, log)
        for _ in range(20):  # both workers ready (each answers /readyz only once loaded)
            wait_ready(url, proc, log)
        yield url, proc, log
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def eval_items() -> list[dict[str, Any]]:
    rows = []
    for name in ("dev.jsonl", "test.jsonl"):
        text = (REPO / "evals" / name).read_text()
        rows += [json.loads(line) for line in text.splitlines() if line.strip()]
    return rows


def test_contract_and_key_over_the_real_command(hash_server, hash_qa):
    url, _, log = hash_server
    q = "Can naltrexone be taken with gabapentin?"
    assert httpx.post(f"{url}/v1/ask", json={"question": q}).status_code == 401
    assert httpx.get(f"{url}/healthz").status_code == 200
    got = httpx.post(f"{url}/v1/ask", json={"question": q}, headers=AUTH).json()
    want = hash_qa.ask(q).to_dict()
    assert {k: v for k, v in got.items() if k != "timings_ms"} == {k: v for k, v in want.items() if k != "timings_ms"}
    conflicts = httpx.get(f"{url}/v1/conflicts", headers=AUTH).json()
    assert conflicts == {"conflicts": [c.to_dict() for c in hash_qa.conflicts()]}
    assert "request_id=" in log.read_text()


def test_eight_clients_beat_one_by_a_third_with_no_errors(hash_server):
    url, _, _ = hash_server
    items = eval_items()
    bodies = [{"question": it["question"], "history": it.get("history") or []} for it in items]
    local = threading.local()

    def ask(body: dict[str, Any]) -> int:
        client = getattr(local, "client", None)
        if client is None:
            client = local.client = httpx.Client(headers=AUTH, timeout=60)
        return client.post(f"{url}/v1/ask", json=body).status_code

    ask(bodies[0])
    started = time.perf_counter()
    serial = [ask(b) for b in bodies]
    serial_s = time.perf_counter() - started
    started = time.perf_counter()
    with ThreadPoolExecutor(8) as pool:
        concurrent = list(pool.map(ask, bodies))
    concurrent_s = time.perf_counter() - started
    speedup = serial_s / concurrent_s
    print(f"{len(bodies)} questions: serial {serial_s:.2f} s, 8 clients {concurrent_s:.2f} s, {speedup:.2f}x")
    assert serial == [200] * len(bodies) and concurrent == [200] * len(bodies)
    assert speedup >= 1.3


def test_metrics_add_up_over_the_workers(hash_server):
    url, _, _ = hash_server
    for _ in range(4):
        httpx.post(f"{url}/v1/ask", json={"question": "How do I reset my router?"}, headers=AUTH)
    text = httpx.get(f"{url}/metrics", headers=AUTH).text
    ok = [line for line in text.splitlines() if line.startswith("naltrexone_qa_http_requests_total{")]
    asks = sum(float(line.rsplit(" ", 1)[1]) for line in ok if 'endpoint="/v1/ask"' in line and 'status="200"' in line)
    assert asks >= 4 + 2 * len(eval_items())  # every answer, whichever worker gave it
    assert "naltrexone_qa_abstentions_total" in text


def test_sigterm_stops_the_workers_and_exits_zero(hash_server):
    url, proc, log = hash_server
    assert stop(proc) == 0, log.read_text()
    with pytest.raises(httpx.HTTPError):
        httpx.get(f"{url}/healthz", timeout=2)


def test_sigterm_lets_the_request_in_flight_finish(tmp_path: Path):
    port, marker = free_port(), tmp_path / "started"
    log = tmp_path / "server.log"
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parent)}
    with open(log, "w") as out:
        proc = subprocess.Popen(
            [sys.executable, str(Path(__file__).with_name("slow_app.py")), str(port), str(marker)],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_ready(url, proc, log, timeout=60)
        result: dict[str, Any] = {}
        client = threading.Thread(
            target=lambda: result.update(resp=httpx.post(f"{url}/v1/ask", json={"question": "in flight"}, timeout=30))
        )
        client.start()
        deadline = time.monotonic() + 20
        while not marker.exists():
            assert time.monotonic() < deadline
            time.sleep(0.02)
        assert stop(proc) == 0, log.read_text()  # returns only after the answer was sent
        client.join(10)
        assert result["resp"].status_code == 200 and result["resp"].json()["question"] == "in flight"
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
