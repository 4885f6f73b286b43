"""Prometheus metrics: requests and latency by endpoint and status, abstentions, disagreement flags.

Endpoints are labelled by route (unknown paths share one label), so a scan of
random URLs cannot grow the series without bound. With several workers each
process writes its samples to ``PROMETHEUS_MULTIPROC_DIR`` and ``/metrics``
adds them up (prometheus-client's multiprocess mode), so any worker answers
for all of them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Optional

from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, Counter, Histogram, generate_latest

from ...types import Answer

ENDPOINTS = frozenset(
    {"/v1/ask", "/v1/conflicts", "/healthz", "/readyz", "/metrics", "/docs", "/openapi.json", "/slack/events"}
)
LABELS = ("endpoint", "method", "status")

REQUESTS = Counter("naltrexone_qa_http_requests_total", "HTTP requests by endpoint, method and status", LABELS)
LATENCY = Histogram(
    "naltrexone_qa_http_request_duration_seconds",
    "HTTP request latency by endpoint, method and status",
    LABELS,
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0),
)
ANSWERS = Counter("naltrexone_qa_answers_total", "Questions answered over HTTP, by retrieval mode", ["mode"])
ABSTENTIONS = Counter("naltrexone_qa_abstentions_total", "Answers that abstained (the corpus does not cover it)")
FLAGGED = Counter("naltrexone_qa_disagreement_answers_total", "Answers shown with at least one disagreement flag")
FLAGS = Counter("naltrexone_qa_disagreement_flags_total", "Disagreement flags shown beside answers")


def endpoint_label(path: str) -> str:
    """The route a path belongs to, or "other"."""
    return path if path in ENDPOINTS else "other"


def observe_request(path: str, method: str, status: int, seconds: float) -> None:
    labels = (endpoint_label(path), method, str(status))
    REQUESTS.labels(*labels).inc()
    LATENCY.labels(*labels).observe(seconds)


def observe_answer(answer: Answer) -> None:
    ANSWERS.labels(answer.mode).inc()
    if answer.abstained:
        ABSTENTIONS.inc()
    if answer.conflicts:
        FLAGGED.inc()
        FLAGS.inc(len(answer.conflicts))


def exposition(multiprocess_dir: Optional[Path]) -> tuple[bytes, str]:
    """The Prometheus text of this process, or of every worker when they share a folder."""
    if multiprocess_dir is None:
        return generate_latest(REGISTRY), CONTENT_TYPE_LATEST
    from prometheus_client import multiprocess

    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry, path=str(multiprocess_dir))
    return generate_latest(registry), CONTENT_TYPE_LATEST
