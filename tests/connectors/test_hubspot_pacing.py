"""The client keeps under HubSpot's burst limit instead of bursting into 429s."""

from __future__ import annotations

from connectors.hubspot_pacing import RatePacer


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0
        self.slept: list[float] = []

    def sleep(self, s: float) -> None:
        self.slept.append(round(s, 3))
        self.now += s


def test_the_window_is_never_exceeded_and_the_stated_limit_is_learnt():
    clock = FakeClock()
    pacer = RatePacer(sleep=clock.sleep, clock=lambda: clock.now)
    assert (pacer.limit, pacer.interval) == (100, 10.0)  # HubSpot's lowest until told
    pacer.learn({"X-HubSpot-RateLimit-Max": "3", "X-HubSpot-RateLimit-Interval-Milliseconds":
                 "1000"})
    sent = []
    for _ in range(7):
        pacer.before()
        sent.append(round(clock.now, 3))
    assert sent == [0.0, 0.0, 0.0, 1.05, 1.05, 1.05, 2.1]  # a margin past each second
    for i, t in enumerate(sent):  # any rolling second holds at most 3
        assert sum(1 for u in sent if t <= u < t + 1.0) <= 3, i
    pacer.learn({"X-HubSpot-RateLimit-Max": "junk"})
    pacer.learn(None)
    assert pacer.limit == 3


def test_the_adapter_meets_a_tight_limit_without_a_single_429(hs, hs_client):
    from connectors.hubspot import HubSpotAdapter, HubSpotConfig
    from connectors.usage import MemoryLedger

    hs.control.limits(ten_secondly=4, interval_ms=1000)
    ledger = MemoryLedger()
    hsa = HubSpotAdapter(HubSpotConfig(host=hs.url, access_token=hs.token,
                                       ca_file=hs.ca_file), ledger)
    for i in range(10):
        hsa.create_many("contacts", [{"email": f"p{i}@example.com"}])
    # Every request counted once: a 429 would have cost a second request for its batch.
    assert hsa.calls == 10 and ledger.count("hubspot") == 10
    assert hsa._pool.pacer.limit == 4
