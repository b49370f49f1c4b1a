"""Find many 64-bit keys at once in a fixed set: a numpy hash table.

The feature blocks and the tagger look up every n-gram or word pair of an article among
the tens of thousands kept in training. ``np.searchsorted`` over the sorted keys takes
about 16 dependent, cache-missing steps per query; a hash table answers most queries
with one vectorised gather.
"""

from __future__ import annotations

import numpy as np

__all__ = ["KeyIndex"]

# Fibonacci hashing: the high bits of key * this constant spread even sequential keys
# (word-id pairs) evenly over the table.
_MULTIPLIER = np.uint64(0x9E3779B97F4A7C15)


class KeyIndex:
    """Positions of distinct integer keys, looked up many at a time.

    Parameters
    ----------
    keys : ndarray of shape (n_keys,)
        Distinct integer keys (compared as 64-bit patterns).

    Each key hashes to one slot of a table with at least four slots per key. A query
    whose slot is empty is absent, one whose slot holds it is found; only queries whose
    slot holds another key (about one in five) are searched for in the sorted keys.
    """

    def __init__(self, keys) -> None:
        keys = _as_uint64(keys)
        self._order = np.argsort(keys, kind="stable")
        self._sorted = keys[self._order]
        if len(keys) > 1 and not (self._sorted[1:] != self._sorted[:-1]).all():
            raise ValueError("KeyIndex keys must be distinct")
        bits = max(int(4 * len(keys)).bit_length(), 4)
        self._shift = np.uint64(64 - bits)
        self._keys = np.zeros(1 << bits, dtype=np.uint64)
        self._positions = np.full(1 << bits, -1, dtype=np.int32)
        # A slot wanted by several keys keeps the first; the others are found by search.
        slots, first = np.unique(self._home(keys), return_index=True)
        self._keys[slots] = keys[first]
        self._positions[slots] = first

    def _home(self, keys: np.ndarray) -> np.ndarray:
        return ((keys * _MULTIPLIER) >> self._shift).astype(np.int64)

    def __len__(self) -> int:
        return len(self._sorted)

    def find(self, queries) -> np.ndarray:
        """Position (in ``keys``) of each query, -1 where it is not a key (int32)."""
        queries = _as_uint64(queries)
        slots = self._home(queries)
        positions = self._positions[slots]
        occupied = positions >= 0
        hit = occupied & (self._keys[slots] == queries)
        found = np.where(hit, positions, -1)
        elsewhere = np.flatnonzero(occupied & ~hit)
        if len(elsewhere):
            wanted = queries[elsewhere]
            index = np.minimum(np.searchsorted(self._sorted, wanted), len(self._sorted) - 1)
            match = self._sorted[index] == wanted
            found[elsewhere[match]] = self._order[index[match]]
        return found


def _as_uint64(keys) -> np.ndarray:
    """``keys`` as 64-bit patterns (signed keys keep their bits)."""
    keys = np.asarray(keys)
    if keys.dtype != np.uint64:
        keys = keys.astype(np.int64, copy=False).view(np.uint64)
    return np.ascontiguousarray(keys)
