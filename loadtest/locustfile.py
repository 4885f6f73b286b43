"""Locust users for the HTTP API: each asks evaluation questions (with their history) in a loop, no pause.

Run by loadtest/run_load.py; on its own:
``locust -f loadtest/locustfile.py --headless -u 8 -r 8 -t 60s --host http://127.0.0.1:8000``.
A response other than 200 counts as an error. NALTREXONE_QA_API_KEY, if set, is sent as the bearer key.
"""

from __future__ import annotations

import itertools
import json
import os
from pathlib import Path

from locust import HttpUser, task

EVALS = Path(__file__).resolve().parents[1] / "evals"
ITEMS = [
    {"question": row["question"], "history": row.get("history") or []}
    for name in ("dev.jsonl", "test.jsonl")
    for row in map(json.loads, (EVALS / name).read_text().splitlines())
]
_next = itertools.cycle(ITEMS)
KEY = os.environ.get("NALTREXONE_QA_API_KEY")


class Asker(HttpUser):
    """One client that asks as fast as it gets answers."""

    def on_start(self) -> None:
        if KEY:
            self.client.headers["Authorization"] = f"Bearer {KEY}"

    @task
    def ask(self) -> None:
        self.client.post("/v1/ask", json=next(_next), name="/v1/ask")
