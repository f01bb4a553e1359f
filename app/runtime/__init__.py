"""The background runtime: answering (inbox → conversation → outbox), delivery (outbox → platforms,
owning the retry policy), the load gauge, and the coordinator that runs them with the poller."""

from app.runtime.answering import apology
from app.runtime.options import WorkerOptions
from app.runtime.worker import Worker

__all__ = ["Worker", "WorkerOptions", "apology"]
