"""Timing and bounds of the background runtime (tests shorten the delays)."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["WorkerOptions"]


@dataclass(frozen=True, slots=True)
class WorkerOptions:
    """Timing and bounds of answering and delivery, in one process."""

    poll_interval: float = 1.0  # seconds between two looks for left-behind work
    stale_after: float = 10.0  # a pending event this old is nobody's fast path any more
    # How long a holder may keep a reply piece: from its claim until a send slot is free. Right
    # before sending, a lease with less than half of this left is renewed, so half a lease always
    # covers the send itself (the HTTP timeout is 10 s).
    lease_seconds: float = 60.0
    max_attempts: int = 8  # sends of one piece before it is marked failed
    backoff_base: float = 2.0  # first retry after 1-2 s, then doubling...
    backoff_cap: float = 600.0  # ...up to 5-10 min
    # Platform calls in flight at once (per process). The platforms answer in ~0.1–0.3 s, so this
    # bounds the replies a process sends per second: 64 → ~200–600/s; 8 held a deployment to ~50/s
    # (`make bench-latency` with `--platform-ms 100`).
    max_concurrent_sends: int = 64
    max_process_attempts: int = 5  # database failures while answering one event before it is failed
    batch_size: int = 200  # events or pieces the poller picks up at once
    # Events per answering transaction. On SQLite small: there a batch holds the one write lock,
    # which every webhook's acknowledgement also needs, so a webhook never waits long for it. On
    # PostgreSQL, where the acknowledgements do not wait for it, larger: under load a batch shares
    # its statements among more events (2 workers, 500/s with the other core kept busy: p99 1.0 →
    # 0.6 s; a 3,000 burst answered after 3.75 s instead of 4.6 s).
    answer_batch: int = 16
    answer_batch_postgresql: int = 48
    # Acknowledgements first, briefly: while this many webhooks queue for their commit at once (a
    # flood beyond what the process can take), answering waits, at most `ack_first` seconds per
    # event; past that it goes on, taking a quarter of the time until the flood is over. At 4, a
    # steady 500/s tripped it whenever one answering transaction held the write lock for ~10 ms;
    # at 32 a steady stream answers at full pace and bursts still give way (see bench/).
    acks_queueing: int = 32
    ack_first: float = 1.0
    run_poller: bool = True

    def answer_batch_for(self, dialect: str) -> int:
        """Events per answering transaction on a database of this dialect."""
        return max(1, self.answer_batch if dialect == "sqlite" else self.answer_batch_postgresql)

    @property
    def max_backlog(self) -> int:
        """Reply pieces in hand beyond which answering and claiming pause, however fast sends are."""
        return 32 * self.max_concurrent_sends
