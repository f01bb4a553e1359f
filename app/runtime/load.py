"""The load gauge: how fast webhooks arrive, whether their acknowledgements queue, how long a send
takes, how much delivery has in hand.

Read by the worker: no more reply pieces are leased to this process than it can send within half a
lease at the pace the platforms answer (so a slow platform never leaves pieces waiting past their
lease), and while acknowledgements queue up (a flood beyond what the process can take) answering
gives way for a moment. It takes no decision itself. Webhooks are counted as the inbox announces them.
"""

from __future__ import annotations

import time
from collections.abc import Callable

__all__ = ["LoadGauge"]


class LoadGauge:
    """Webhook rate over the last tenth of a second, send duration, reply pieces in hand."""

    def __init__(
        self,
        *,
        lease_seconds: float,
        max_concurrent_sends: int,
        most: int,
        waiting_acks: Callable[[], int] = lambda: 0,
    ) -> None:
        # waiting_acks: the most webhooks that waited at once for their commit since the last call
        self._waiting_acks = waiting_acks
        self._window_start = time.monotonic()
        self._window_count = 0
        self._rate = 0.0
        self._lease_seconds = lease_seconds
        self._senders = max_concurrent_sends
        self._most = most
        self.send_seconds = 0.05  # moving average of one platform call (a guess until measured)
        self.pieces_in_hand = 0  # claimed or just written, not yet recorded as sent/retry/failed

    def acks_waiting(self) -> int:
        """The most webhooks that waited at once for their commit since the previous look."""
        return self._waiting_acks()

    def note_send(self, seconds: float) -> None:
        self.send_seconds = 0.8 * self.send_seconds + 0.2 * seconds

    @property
    def capacity(self) -> int:
        """Pieces this process can send within half a lease at the current pace (at most `most`)."""
        per_sender = self._lease_seconds / 2 / max(self.send_seconds, 1e-3)
        return max(self._senders, min(self._most, int(self._senders * per_sender)))

    @property
    def room(self) -> int:
        """How many more pieces may be leased to this process now."""
        return max(0, self.capacity - self.pieces_in_hand)

    def note_webhook(self) -> None:
        now = time.monotonic()
        elapsed = now - self._window_start
        if elapsed >= 0.1:
            self._rate = self._window_count / elapsed
            self._window_start, self._window_count = now, 0
        self._window_count += 1

    @property
    def webhook_rate(self) -> float:
        """Webhooks per second, as last measured (0 once they stop for a while)."""
        if time.monotonic() - self._window_start > 1.0:
            return 0.0
        return self._rate
