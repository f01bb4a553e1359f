"""Prometheus metrics of one app instance.

Each app gets its own registry (tests build many apps in one process). With several uvicorn workers,
`canhgiac serve` sets PROMETHEUS_MULTIPROC_DIR before the workers start: every worker then writes its
values to files there and `/metrics`, whichever worker answers, sums all of them. Without that
variable (one worker, tests) the figures are those of the process that answers.
"""

from __future__ import annotations

import os

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.multiprocess import MultiProcessCollector

__all__ = ["MULTIPROC_ENV", "Metrics"]

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"


class Metrics:
    """The service's counters and histograms."""

    def __init__(self) -> None:
        self.multiprocess = bool(os.environ.get(MULTIPROC_ENV))
        self.registry = CollectorRegistry()
        if self.multiprocess:
            MultiProcessCollector(self.registry)  # type: ignore[no-untyped-call]
        # In multiprocess mode values live in the shared files, not in a registry.
        target = None if self.multiprocess else self.registry
        self.webhooks = Counter(
            "canhgiac_webhooks",
            "Webhook calls and chat messages by channel and result "
            "(accepted, duplicate, ignored, bad_signature, bad_request, too_large, disabled, error).",
            ["channel", "result"],
            registry=target,
        )
        self.signature_failures = Counter(
            "canhgiac_signature_failures",
            "Webhooks refused for a missing or wrong signature.",
            ["channel"],
            registry=target,
        )
        self.replies_sent = Counter(
            "canhgiac_replies_sent", "Reply pieces the platform accepted.", ["channel"], registry=target
        )
        self.replies_retried = Counter(
            "canhgiac_replies_retried",
            "Reply pieces scheduled for another attempt.",
            ["channel"],
            registry=target,
        )
        self.replies_failed = Counter(
            "canhgiac_replies_failed",
            "Reply pieces given up (permanent error or too many attempts).",
            ["channel"],
            registry=target,
        )
        self.matcher_seconds = Histogram(
            "canhgiac_matcher_seconds",
            "Time to understand one message (normalise, match, extract).",
            buckets=(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0),
            registry=target,
        )
        self.tactics_matched = Counter(
            "canhgiac_tactics_matched", "Messages recognised as a scam tactic.", ["tactic"], registry=target
        )

    def render(self) -> tuple[bytes, str]:
        """The exposition text and its content type."""
        return generate_latest(self.registry), CONTENT_TYPE_LATEST
