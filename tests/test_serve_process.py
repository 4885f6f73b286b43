"""``naltrexone-qa serve`` as users run it: a subprocess on 127.0.0.1, several workers, signals.

Slow tier (subprocesses). The throughput test uses the hash-embedder pipeline:
on this two-core machine, shared with other jobs, the real model's timing
varies too much for a ratio to be stable; the server code on the path is the
same either way.
"""

from __future__ import annotations

import http.client
import json
import os
import signal
import statistics
import subprocess
import sys
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace
from pathlib import Path
from typing import Any, Iterator

import httpx
import pytest

from live_server import free_port

pytestmark = pytest.mark.slow
REPO = Path(__file__).resolve().parents[1]
KEY = "process-test-key"
AUTH = {"Authorization": f"Bearer {KEY}"}
# Two per core: on a machine shared with other jobs a worker waits for the CPU now and then, and
# the other worker of its core answers meanwhile.
WORKERS = 2 * (os.cpu_count() or 2)
HASH_MODEL = "hash:256"
ROUNDS, MAX_ROUNDS = 7, 15  # more rounds (a closer median) only when the first seven leave it in doubt


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
    """`serve --workers WORKERS` on the hash-embedder pipeline, with an API key; yields (url, process, log)."""
    folder = tmp_path_factory.mktemp("serve")
    port = free_port()
    # One BLAS/OpenMP thread per worker, as with several workers in production: the workers are the parallelism.
    env = {**os.environ, "NALTREXONE_QA_API_KEY": KEY, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}
    args = ["serve", "--model", HASH_MODEL, "--store", "numpy", "--index", str(folder / "index")]
    args += ["--corpus", str(corpus_dir), "--port", str(port), "--workers", str(WORKERS)]
    # The server is what these tests measure: without the relevance adapter (a real model; its cost is in bench perf).
    args += ["--no-rerank"]
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
        if proc.poll() is None:  # SIGTERM first: a SIGKILL would leave the workers running without their parent
            try:
                stop(proc, 30)
            except subprocess.TimeoutExpired:
                pass


def eval_items() -> list[dict[str, Any]]:
    rows = []
    for name in ("dev.jsonl", "test.jsonl"):
        text = (REPO / "evals" / name).read_text()
        rows += [json.loads(line) for line in text.splitlines() if line.strip()]
    return rows


@pytest.fixture(scope="module")
def wide_qa(tmp_path_factory: pytest.TempPathFactory, corpus_dir: Path) -> Any:
    """The pipeline the server runs, loaded here to compare answers with."""
    from naltrexone_qa.config import Settings
    from naltrexone_qa.pipeline import QA

    index = tmp_path_factory.mktemp("wide") / "index"
    settings = Settings(corpus_dir=corpus_dir, index_dir=index, model=HASH_MODEL, store="numpy")
    return QA.load(replace(settings, answer=replace(settings.answer, rerank=False)))  # as the server: --no-rerank


def test_contract_and_key_over_the_real_command(hash_server, wide_qa):
    url, _, log = hash_server
    q = "Can naltrexone be taken with gabapentin?"
    assert httpx.post(f"{url}/v1/ask", json={"question": q}).status_code == 401
    assert httpx.get(f"{url}/healthz").status_code == 200
    got = httpx.post(f"{url}/v1/ask", json={"question": q}, headers=AUTH).json()
    want = wide_qa.ask(q).to_dict()
    assert {k: v for k, v in got.items() if k != "timings_ms"} == {k: v for k, v in want.items() if k != "timings_ms"}
    conflicts = httpx.get(f"{url}/v1/conflicts", headers=AUTH).json()
    assert conflicts == {"conflicts": [c.to_dict() for c in wide_qa.conflicts()]}
    assert "request_id=" in log.read_text()


def ask_all(url: str, bodies: list[dict[str, Any]]) -> list[int]:
    """One client asking ``bodies`` one after another on one keep-alive connection (in a client process).

    The standard library's client costs far less per request than httpx, so the time measured
    is the server's, not the test's.
    """
    host, port = url.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=60)
    headers = {**AUTH, "Content-Type": "application/json"}
    codes = []
    try:
        for body in bodies:
            conn.request("POST", "/v1/ask", body=json.dumps(body), headers=headers)
            resp = conn.getresponse()
            resp.read()
            codes.append(resp.status)
    finally:
        conn.close()
    return codes


def timed(pool: ProcessPoolExecutor, url: str, chunks: list[list[dict[str, Any]]]) -> tuple[float, list[int]]:
    started = time.perf_counter()
    codes = [c for part in pool.map(ask_all, [url] * len(chunks), chunks) for c in part]
    return time.perf_counter() - started, codes


def test_eight_clients_beat_one_by_a_third_with_no_errors(hash_server):
    """Every evaluation question (dev + test) by one client, then by eight, in alternating rounds.

    Clients are processes on the standard library's HTTP client, so the time measured is the
    server's (8 threads in the test process would share one interpreter lock, and httpx costs
    as much per request as the hash-embedder pipeline). The median rounds are compared: on a
    machine shared with other jobs a round now and then is much slower or faster than the rest;
    when seven rounds leave the ratio below the target, eight more narrow the medians down.
    """
    url, _, _ = hash_server
    bodies = [{"question": it["question"], "history": it.get("history") or []} for it in eval_items()]
    eighths = [bodies[i::8] for i in range(8)]
    serial, concurrent = [], []
    with ProcessPoolExecutor(1) as one, ProcessPoolExecutor(8) as eight:
        timed(one, url, [bodies[:8]])  # start the client processes before timing
        timed(eight, url, [[b] for b in bodies[:8]])
        while True:
            seconds, codes = timed(one, url, [bodies])
            assert codes == [200] * len(bodies)  # no errors
            serial.append(seconds)
            seconds, codes = timed(eight, url, eighths)
            assert sorted(codes) == [200] * len(bodies)
            concurrent.append(seconds)
            speedup = statistics.median(serial) / statistics.median(concurrent)
            if len(serial) == MAX_ROUNDS or (len(serial) == ROUNDS and speedup >= 1.3):
                break
    rounds = ", ".join(f"{s:.2f}/{c:.2f}" for s, c in zip(serial, concurrent, strict=True))
    print(f"{len(bodies)} questions, one client / 8 clients, seconds per round: {rounds}; medians {speedup:.2f}x")
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


def test_workers_exit_when_the_supervisor_is_killed(tmp_path: Path, corpus_dir: Path) -> None:
    """SIGKILL on the supervisor (the OOM killer, kill -9): its workers stop instead of serving on, orphaned."""
    import psutil

    port = free_port()
    args = ["serve", "--model", HASH_MODEL, "--store", "numpy", "--index", str(tmp_path / "index")]
    args += ["--corpus", str(corpus_dir), "--port", str(port), "--workers", "2", "--no-rerank"]
    log = tmp_path / "server.log"
    with open(log, "w") as out:
        proc = subprocess.Popen(cli() + args, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    workers: list[Any] = []
    try:
        wait_ready(url, proc, log)
        workers = [
            c for c in psutil.Process(proc.pid).children(recursive=True) if "spawn_main" in " ".join(c.cmdline())
        ]
        assert len(workers) == 2, [c.cmdline() for c in psutil.Process(proc.pid).children(recursive=True)]
        proc.kill()
        proc.wait()
        gone, alive = psutil.wait_procs(workers, timeout=30)
        assert not alive, f"workers still running after their supervisor died: {[p.pid for p in alive]}"
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        for w in workers:  # orphans are no longer our children: kill them by the pids kept
            if w.is_running():
                w.kill()
