"""API accounting interfaces (DESIGN.md decision 6).

The adapters call `UsageLedger.record` for every Salesforce request (retries included) and ask
`Budget.check` before sending one. The Django side implements both over the database
(`syncadmin.usage`); the in-memory versions here serve unit use and the command line.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Protocol

WINDOW_SECONDS = 24 * 3600


class UsageLedger(Protocol):
    def record(self, remote: str, endpoint: str, at: float) -> None: ...

    def used_since(self, remote: str, since: float) -> int: ...

    def set_org_limit(self, used: int, limit: int) -> None:
        """Called with the last `Sforce-Limit-Info: api-usage=used/limit` seen."""


@dataclass
class MemoryLedger:
    calls: deque[tuple[str, str, float]] = field(default_factory=deque)
    org_used: int | None = None
    org_limit: int | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def record(self, remote: str, endpoint: str, at: float) -> None:
        with self._lock:
            self.calls.append((remote, endpoint, at))

    def used_since(self, remote: str, since: float) -> int:
        with self._lock:
            return sum(1 for r, _, at in self.calls if r == remote and at >= since)

    def set_org_limit(self, used: int, limit: int) -> None:
        self.org_used, self.org_limit = used, limit

    def count(self, remote: str = "salesforce") -> int:
        return sum(1 for r, _, _ in self.calls if r == remote)


@dataclass
class Budget:
    """Allows a Salesforce request while the rolling 24-hour use is under the allocation."""

    ledger: UsageLedger
    allocated: int | None  # None = no allocation set: only Salesforce's own limit applies

    def check(self) -> tuple[bool, int]:
        if self.allocated is None:
            return True, 0
        used = self.ledger.used_since("salesforce", time.time() - WINDOW_SECONDS)
        return used < self.allocated, used
