"""Load test: ``naltrexone-qa serve --workers 2``, then locust headless with 8 and 32 users, 60 s each.

Prints a Markdown table: requests per second, p50/p95/p99 latency, errors, and
the peak memory (RSS) of each worker process sampled during the run.
Usage: ``python loadtest/run_load.py [--users 8,32] [--seconds 60] [--workers 2] [-- serve options]``.
"""

from __future__ import annotations

import argparse
import csv
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

import psutil

HERE = Path(__file__).resolve().parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_ready(url: str, proc: subprocess.Popen, timeout: float = 600) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            sys.exit(f"serve exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/readyz", timeout=2) as resp:
                if resp.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.5)
    sys.exit("serve did not get ready")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--users", default="8,32")
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("serve_args", nargs="*")
    args = parser.parse_args()
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    serve = [str(Path(sys.executable).with_name("naltrexone-qa")), "serve", "--port", str(port)]
    serve += ["--workers", str(args.workers), *args.serve_args]
    server = subprocess.Popen(serve, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    rows = []
    try:
        wait_ready(url, server)
        time.sleep(5)  # let every worker finish loading (each answers /readyz only when ready)
        for _ in range(20):
            wait_ready(url, server)
        for users in [int(u) for u in args.users.split(",")]:
            peaks: dict[int, float] = {}
            stop = threading.Event()

            def sample() -> None:
                while not stop.is_set():
                    for child in psutil.Process(server.pid).children(recursive=True):
                        try:
                            if "spawn_main" not in " ".join(child.cmdline()):
                                continue  # the workers are uvicorn's spawned interpreters
                            peaks[child.pid] = max(peaks.get(child.pid, 0.0), child.memory_info().rss / 2**20)
                        except psutil.Error:
                            pass
                    stop.wait(1.0)

            sampler = threading.Thread(target=sample, daemon=True)
            sampler.start()
            with tempfile.TemporaryDirectory() as tmp:
                prefix = Path(tmp) / "run"
                cmd = [sys.executable, "-m", "locust", "-f", str(HERE / "locustfile.py"), "--headless"]
                cmd += ["-u", str(users), "-r", str(users), "-t", f"{args.seconds}s", "--host", url]
                cmd += ["--csv", str(prefix), "--only-summary", "--loglevel", "WARNING"]
                subprocess.run(cmd, check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                stats = {r["Name"]: r for r in csv.DictReader(open(f"{prefix}_stats.csv"))}["Aggregated"]
            stop.set()
            sampler.join()
            workers = sorted(peaks.values())
            rows.append((users, stats, workers))
    finally:
        server.send_signal(signal.SIGTERM)
        code = server.wait(120)
    print(f"naltrexone-qa serve --workers {args.workers} {' '.join(args.serve_args)}; {os.cpu_count()} CPUs; exit code {code}")
    print("| clients | requests | req/s | p50 ms | p95 ms | p99 ms | errors | peak RSS per worker (MiB) |")
    print("|---|---|---|---|---|---|---|---|")
    for users, s, workers in rows:
        mem = ", ".join(f"{w:.0f}" for w in workers)
        print(
            f"| {users} | {s['Request Count']} | {float(s['Requests/s']):.1f} | {s['50%']} | {s['95%']} | {s['99%']} "
            f"| {s['Failure Count']} | {mem} |"
        )


if __name__ == "__main__":
    main()
