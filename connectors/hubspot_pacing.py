"""HubSpot's burst limit, kept on our side: requests are spaced so that the rolling window is
never exceeded, instead of bursting into 429s and backing off (each 429 is a wasted request
and a random wait).

HubSpot allows a number of requests per rolling interval per app and account — 100 or 190
per 10 seconds for private apps by subscription, 110 per 10 seconds for public OAuth apps —
and says which on every answer: X-HubSpot-RateLimit-Max and
X-HubSpot-RateLimit-Interval-Milliseconds
(developers.hubspot.com/docs/guides/apps/api-usage/usage-details, "Rate limits"). Until an
answer has said, the pacer assumes the lowest, 100 per 10 s.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from typing import Any

DEFAULT_MAX = 100
DEFAULT_INTERVAL = 10.0


class RatePacer:
    def __init__(self, sleep: Callable[[float], Any] = time.sleep,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.limit, self.interval = DEFAULT_MAX, DEFAULT_INTERVAL
        self._sent: deque[float] = deque()
        self._lock = threading.Lock()
        self._sleep, self._clock = sleep, clock

    def before(self) -> None:
        """Waits, if need be, until one more request fits in the window."""
        while True:
            with self._lock:
                now = self._clock()
                # HubSpot stamps a request when it arrives, a little after we send it: a
                # slot is taken as free only a margin after it left the window here.
                span = self.interval + max(0.05, self.interval * 0.02)
                while self._sent and self._sent[0] <= now - span:
                    self._sent.popleft()
                if len(self._sent) < self.limit:
                    self._sent.append(now)
                    return
                wait = self._sent[0] + span - now
            self._sleep(max(wait, 0.001))

    def learn(self, headers: Mapping[str, str] | None) -> None:
        """The limit the last answer stated (a private app on a higher tier gets more)."""
        if not headers:
            return
        try:
            limit = int(headers.get("X-HubSpot-RateLimit-Max") or 0)
            interval_ms = int(headers.get("X-HubSpot-RateLimit-Interval-Milliseconds") or 0)
        except ValueError:
            return
        with self._lock:
            if limit > 0:
                self.limit = limit
            if interval_ms > 0:
                self.interval = interval_ms / 1000
