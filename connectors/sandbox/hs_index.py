"""What HubSpot search sees of an object's records in the emulator (`SearchIndex`, the base of
`hs_store.ObjectStore`): the modified-date index, the unique-value indexes, and the delay
before a write is searchable.

Search is eventually consistent, as in HubSpot ("it may take a few moments for newly created
or updated objects to appear in search results",
https://developers.hubspot.com/docs/api/crm/search#limitations): a write made at modified date
T is searchable from T + `index_delay_ms` on; until then search sees the version it had indexed
before (or nothing, for a new record), while reads by id see the write at once. The modified-
date index (`mod_index`) holds the indexed versions; `_unindexed` the versions search still
shows. The caller holds `Portal.lock`.
"""

from __future__ import annotations

import bisect
import dataclasses
import heapq
from collections.abc import Iterator
from dataclasses import dataclass

from connectors.sandbox.hs_defaults import now_ms


@dataclass
class Rec:
    id: int
    props: dict[str, str]
    created: int
    updated: int
    archived: bool = False
    archived_at: int | None = None


# Stands for "search has no version of this record yet" while a write is not indexed.
_NOT_INDEXED = Rec(-1, {}, 0, 0, archived=True)


class SearchIndex:
    """The indexes of `hs_store.ObjectStore` (which makes the state below)."""

    records: dict[int, Rec]
    mod_index: list[tuple[int, int]]  # (updated ms, id) of the versions search sees
    unique: dict[str, dict[str, int]]
    index_delay_ms: int
    _unindexed: dict[int, tuple[int, Rec | None]]
    _index_due: list[tuple[int, int]]
    merged_into: dict[int, int]

    def norm_unique(self, name: str, value: str) -> str:
        return value.strip().lower() if name == "email" else value

    def _unique_remove(self, rec: Rec) -> None:
        for name, idx in self.unique.items():
            v = rec.props.get(name)
            if v and idx.get(self.norm_unique(name, v)) == rec.id:
                del idx[self.norm_unique(name, v)]

    def _unique_add(self, rec: Rec) -> None:
        if rec.archived:
            return
        for name, idx in self.unique.items():
            v = rec.props.get(name)
            if v:
                idx.setdefault(self.norm_unique(name, v), rec.id)

    def _mod_remove(self, rec: Rec | None) -> None:
        if rec is None or rec.archived:
            return
        key = (rec.updated, rec.id)
        i = bisect.bisect_left(self.mod_index, key)
        if i < len(self.mod_index) and self.mod_index[i] == key:
            del self.mod_index[i]

    def _mod_add(self, rec: Rec) -> None:
        if not rec.archived:
            bisect.insort(self.mod_index, (rec.updated, rec.id))

    def _before_write(self, rec: Rec | None, delay_ms: int | None) -> Rec | None:
        """Called before `rec` changes (None: a record being created). Returns the version
        search keeps showing, or None when the write is searchable at once."""
        delay = self.index_delay_ms if delay_ms is None else delay_ms
        self.settle()
        if rec is not None and rec.id in self._unindexed:
            return self._unindexed[rec.id][1] or _NOT_INDEXED
        if delay <= 0:
            return None
        return dataclasses.replace(rec, props=dict(rec.props)) if rec else _NOT_INDEXED

    def _after_write(self, rec: Rec, shown: Rec | None, delay_ms: int | None) -> None:
        delay = self.index_delay_ms if delay_ms is None else delay_ms
        if shown is None:  # searchable at once: the index follows the write
            self._mod_add(rec)
            return
        due = max(rec.updated, rec.archived_at or 0) + max(delay, 0)
        if due <= now_ms():
            self._mod_remove(None if shown is _NOT_INDEXED else shown)
            self._unindexed.pop(rec.id, None)
            self._mod_add(rec)
            return
        self._unindexed[rec.id] = (due, None if shown is _NOT_INDEXED else shown)
        heapq.heappush(self._index_due, (due, rec.id))

    def settle(self, now: int | None = None) -> None:
        """Index the writes whose delay has passed (all of them once the delay is 0)."""
        at = now_ms() if now is None else now
        while self._index_due and (self._index_due[0][0] <= at or self.index_delay_ms <= 0):
            due, rid = heapq.heappop(self._index_due)
            entry = self._unindexed.get(rid)
            if entry is None or (entry[0] != due and self.index_delay_ms > 0):
                continue  # written again since: a later heap entry is its own
            del self._unindexed[rid]
            self._mod_remove(entry[1])
            self._mod_add(self.records[rid])

    def _indexed(self, rid: int) -> Rec | None:
        """The version of record `rid` that search sees (None: search does not find it)."""
        if rid in self._unindexed:
            shown = self._unindexed[rid][1]
            return shown if shown is not None and not shown.archived else None
        rec = self.records.get(rid)
        return rec if rec is not None and not rec.archived else None

    def merge_away(self, rec: Rec, into: int) -> None:
        """Record `rec` was merged into record `into`: it leaves search and the unique
        indexes, and its id resolves to `into` from now on (hs_merge)."""
        self.settle()
        shown = self._unindexed.pop(rec.id, (0, rec))[1]
        self._mod_remove(shown)
        self._unique_remove(rec)
        del self.records[rec.id]
        self.merged_into[rec.id] = into

    def _shown(self, rid: int) -> Rec:
        """The indexed version of a record the modified-date index holds."""
        rec = self._indexed(rid)
        assert rec is not None, rid
        return rec

    def _all_shown(self) -> Iterator[Rec]:
        for rid in self.records:
            rec = self._indexed(rid)
            if rec is not None:
                yield rec
