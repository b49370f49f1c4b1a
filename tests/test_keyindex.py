import numpy as np
import pytest

from classifier.keyindex import KeyIndex


def _reference(keys, queries):
    """Position of each query in ``keys`` by a plain dictionary, -1 when absent."""
    position = {int(k): i for i, k in enumerate(keys.tolist())}
    return np.array([position.get(int(q), -1) for q in queries.tolist()])


@pytest.mark.parametrize("dtype", [np.uint64, np.int64])
def test_finds_every_key_and_rejects_the_rest(dtype):
    rng = np.random.default_rng(0)
    keys = np.unique(rng.integers(0, 2**62, 5000)).astype(dtype)
    rng.shuffle(keys)
    queries = np.concatenate([keys[rng.integers(0, len(keys), 3000)],
                              rng.integers(0, 2**62, 3000).astype(dtype)])
    np.testing.assert_array_equal(KeyIndex(keys).find(queries), _reference(keys, queries))


def test_sequential_and_negative_keys():
    # Word-pair keys are small consecutive integers; signed keys keep their bit pattern.
    keys = np.concatenate([np.arange(0, 70000, 7), -np.arange(1, 500)]).astype(np.int64)
    queries = np.arange(-600, 70000, dtype=np.int64)
    np.testing.assert_array_equal(KeyIndex(keys).find(queries), _reference(keys, queries))


def test_keys_sharing_a_slot_are_all_found():
    rng = np.random.default_rng(1)
    keys = np.unique(rng.integers(0, 2**62, 20000)).astype(np.uint64)
    index = KeyIndex(keys)
    assert len(np.unique(index._home(keys))) < len(keys)  # some keys lost their slot
    queries = np.concatenate([keys, keys + np.uint64(1)])
    np.testing.assert_array_equal(index.find(queries), _reference(keys, queries))


def test_zero_is_a_key_like_any_other():
    # An empty slot holds the key 0; it must not be mistaken for the key 0.
    assert KeyIndex(np.array([5, 9], dtype=np.int64)).find(np.array([0, 5, 9])).tolist() == [
        -1, 0, 1]
    assert KeyIndex(np.array([0, 3], dtype=np.int64)).find(np.array([0, 3, 1])).tolist() == [
        0, 1, -1]


def test_empty_index_and_empty_queries():
    assert KeyIndex(np.zeros(0, dtype=np.int64)).find(np.array([1, 2])).tolist() == [-1, -1]
    assert len(KeyIndex(np.array([1, 2])).find(np.zeros(0, dtype=np.int64))) == 0
    assert len(KeyIndex(np.array([4, 2]))) == 2


def test_duplicate_keys_are_refused():
    with pytest.raises(ValueError, match="distinct"):
        KeyIndex(np.array([3, 1, 3]))
