"""The load gauge: how fast webhooks arrive and how much delivery has in hand.

Read by answering (back-pressure: no new replies while delivery is far behind) and by operators
(logs); it takes no decision itself. Webhooks are counted as the inbox announces them.
"""

from __future__ import annotations

import time

__all__ = ["LoadGauge"]


class LoadGauge:
    """Webhook rate over the last tenth of a second, and reply pieces in the delivery's hands."""

    def __init__(self) -> None:
        self._window_start = time.monotonic()
        self._window_count = 0
        self._rate = 0.0
        self.pieces_in_hand = 0  # claimed or just written, not yet recorded as sent/retry/failed

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
