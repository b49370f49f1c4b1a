"""TF-IDF vectorizers computed with numpy: the analyzer's sentence features, fast.

They produce the same features and values as scikit-learn's ``TfidfVectorizer`` with the
matching settings (the tests check it), at a fraction of the cost per sentence, because
the work per n-gram happens in numpy rather than in Python.

Characters: scikit-learn's ``TfidfVectorizer(analyzer="char_wb")`` builds every n-gram as a Python
string and looks it up in a dict: about 0.5 ms for a news sentence, most of the
analyzer's time. :class:`CharNgramTfidf` computes the same kind of features (n-grams of
each whitespace-separated, lower-cased word padded with spaces) as rolling hashes over
an array of code points, so a whole article is a handful of numpy operations. The 64-bit
hashes of the ``max_features`` most frequent training n-grams are kept sorted and looked up
with ``np.searchsorted``; collisions between 64-bit hashes are negligible.
"""

from __future__ import annotations

import itertools
import threading
from collections import Counter

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from .caches import DerivedCachesMixin
from .keyindex import KeyIndex
from .tokens import VocabularyIds, tokenize, tokenized

__all__ = ["CharNgramTfidf", "WordNgramTfidf"]

#: Distinct words whose n-gram columns a fitted :class:`CharNgramTfidf` keeps (~10 MB).
WORD_CACHE_SIZE = 50_000

_MULTIPLIER = np.uint64(0x9E3779B97F4A7C15)  # Fibonacci hashing spreads the rolling hash
_BASE = np.uint64(1_000_003)


def _ngram_buckets(texts, ngram_range, with_text=False):
    """(document index, bucket) of every character n-gram of ``texts``; with ``with_text``
    also a function giving the text of the i-th n-gram (to name features)."""
    words, owners = [], []
    for index, text in enumerate(texts):
        split = text.lower().split()
        words += split
        owners += [index] * len(split)
    return _word_ngram_buckets(words, np.asarray(owners, dtype=np.int64), ngram_range,
                               with_text)


def _word_ngram_buckets(words, owners, ngram_range, with_text=False):
    """:func:`_ngram_buckets` of lower-case ``words`` (no whitespace), word ``i`` being
    part of document ``owners[i]``. The n-grams come out grouped by n, then by word."""
    if not words:
        empty = np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.uint64)
        return (*empty, None) if with_text else empty
    padded = " " + "  ".join(words) + " "
    codes = np.frombuffer(padded.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    lengths = np.fromiter(map(len, words), dtype=np.int64, count=len(words)) + 2
    word_of = np.repeat(np.arange(len(words)), lengths)
    documents, buckets, starts, sizes = [], [], [], []
    low, high = ngram_range
    rolling = codes.copy()
    for n in range(1, high + 1):
        if n > 1:
            rolling = rolling[:-1] * _BASE + codes[n - 1:]
        if n < low or len(rolling) == 0:
            continue
        inside = word_of[: len(rolling)] == word_of[n - 1:]
        salted = (rolling[inside] + np.uint64(n)) * _MULTIPLIER
        buckets.append(salted)
        documents.append(owners[word_of[: len(rolling)][inside]])
        if with_text:
            starts.append(np.flatnonzero(inside))
            sizes.append(np.full(int(inside.sum()), n))
    if not with_text:
        return np.concatenate(documents), np.concatenate(buckets)
    starts, sizes = np.concatenate(starts), np.concatenate(sizes)

    def text_of(i: int) -> str:
        return padded[starts[i]:starts[i] + sizes[i]]

    return np.concatenate(documents), np.concatenate(buckets), text_of


class _WordColumnTable:
    """The kept n-gram columns of up to ``capacity`` distinct words, in one flat array.

    Word ``slot`` owns ``pool[starts[slot]:starts[slot] + lengths[slot]]``, so the
    columns of a sentence's words are one vectorised gather instead of concatenating a
    small array per word. Append-only: a writer (one at a time, under ``lock``) fills the
    arrays, replacing them by larger copies when they are full, and only then publishes
    the words in ``slots``; a reader looks its words up first and reads the arrays after,
    so any arrays it gets hold every slot it found.
    """

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self.slots: dict[str, int] = {}
        self.starts = np.zeros(1024, dtype=np.int64)
        self.lengths = np.zeros(1024, dtype=np.int64)
        self.pool = np.zeros(16384, dtype=np.int32)
        self.used = 0
        self.lock = threading.Lock()

    def add(self, words: list[str], lengths: np.ndarray, columns: np.ndarray) -> None:
        """Store distinct words' columns (word ``i`` has ``lengths[i]`` of them, one word
        after another in ``columns``) while there is room; words beyond it and words
        already stored are left out."""
        with self.lock:
            keep = [i for i, word in enumerate(words) if word not in self.slots]
            keep = keep[: self.capacity - len(self.slots)]
            if not keep:
                return
            if len(keep) < len(words):
                bounds = [0, *np.cumsum(lengths).tolist()]
                columns = np.concatenate([columns[bounds[i]:bounds[i + 1]] for i in keep])
                lengths, words = lengths[keep], [words[i] for i in keep]
            first, end = len(self.slots), len(self.slots) + len(words)
            needed = self.used + len(columns)
            starts, sizes, pool = self.starts, self.lengths, self.pool
            if end > len(starts):
                size = max(end, 2 * len(starts))
                starts = np.concatenate([starts, np.zeros(size - len(starts), np.int64)])
                sizes = np.concatenate([sizes, np.zeros(size - len(sizes), np.int64)])
            if needed > len(pool):
                pool = np.concatenate([pool, np.zeros(max(needed, 2 * len(pool)) - len(pool),
                                                      np.int32)])
            starts[first:end] = self.used + np.cumsum(lengths) - lengths
            sizes[first:end] = lengths
            pool[self.used:needed] = columns
            self.starts, self.lengths, self.pool, self.used = starts, sizes, pool, needed
            self.slots.update(zip(words, range(first, end), strict=True))

    def gather(self, slots: np.ndarray, owners: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(owner, column) of every column of the words in ``slots`` (all published)."""
        lengths = self.lengths[slots]
        total = int(lengths.sum())
        # Each occurrence's index in the pool: its word's start plus its rank in the word.
        shift = self.starts[slots] - (np.cumsum(lengths) - lengths)
        positions = np.repeat(shift, lengths) + np.arange(total)
        return np.repeat(owners, lengths), self.pool[positions]


class CharNgramTfidf(DerivedCachesMixin, TransformerMixin, BaseEstimator):
    """TF-IDF over hashed character n-grams inside word boundaries.

    Parameters
    ----------
    ngram_range : tuple (min_n, max_n), default=(2, 5)
    min_df : int, default=3
        Keep n-grams found in at least this many training documents.
    max_features : int, default=60000
        Keep at most this many n-grams, the most frequent across documents.
    sublinear_tf : bool, default=True
        Use ``1 + log(count)`` instead of the count.

    Attributes
    ----------
    hashes_ : ndarray of shape (n_features,), uint64
        Sorted hashes of the kept n-grams; column ``i`` is ``hashes_[i]``.
    idf_ : ndarray of shape (n_features,)
    ngrams_ : ndarray of shape (n_features,), object
        An n-gram seen in training for each column (its feature name).
    """

    _derived_caches = ("_word_columns", "_hash_index")

    def __init__(self, ngram_range=(2, 5), min_df=3, max_features=60000, sublinear_tf=True):
        self.ngram_range = ngram_range
        self.min_df = min_df
        self.max_features = max_features
        self.sublinear_tf = sublinear_tf

    def fit(self, X, y=None):
        self._drop_derived_caches()
        documents, hashes, text_of = _ngram_buckets(X, self.ngram_range, with_text=True)
        # Document frequency: count each (document, n-gram) pair once.
        order = np.lexsort((hashes, documents))
        documents, hashes = documents[order], hashes[order]
        first_in_document = np.ones(len(hashes), dtype=bool)
        first_in_document[1:] = (hashes[1:] != hashes[:-1]) | (documents[1:] != documents[:-1])
        present, df = np.unique(hashes[first_in_document], return_counts=True)
        keep = df >= self.min_df
        present, df = present[keep], df[keep]
        if self.max_features is not None and len(present) > self.max_features:
            # Most frequent first; ties broken by hash so the choice is deterministic.
            chosen = np.lexsort((present, -df))[: self.max_features]
            present, df = present[chosen], df[chosen]
        by_hash = np.argsort(present)
        self.hashes_, df = present[by_hash], df[by_hash]
        self.idf_ = _smooth_idf(df, len(X))
        self.n_features_out_ = len(self.hashes_)
        # Name each column after one of its n-grams (for explanations).
        _, first = np.unique(hashes, return_index=True)
        position = np.searchsorted(np.unique(hashes), self.hashes_)
        self.ngrams_ = np.array([text_of(order[first[p]]) for p in position.tolist()],
                                dtype=object)
        return self

    def _columns(self, hashes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Column of each n-gram hash, and whether the hash is a kept n-gram at all."""
        index = self._derived_cache("_hash_index", lambda: KeyIndex(self.hashes_))
        columns = index.find(hashes)
        return columns, columns >= 0

    def _new_word_columns(self, words: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """Kept n-gram columns of distinct lower-case ``words``, computed together:
        (number of columns of each word, the columns one word after another)."""
        documents, hashes = _word_ngram_buckets(words, np.arange(len(words)),
                                                self.ngram_range)
        columns, known = self._columns(hashes)
        documents, columns = documents[known], columns[known].astype(np.int32)
        order = np.argsort(documents, kind="stable")
        return np.bincount(documents, minlength=len(words)), columns[order]

    def _occurrences(self, X) -> tuple[np.ndarray, np.ndarray]:
        """(document, column) of every kept n-gram occurrence in ``X``, in no fixed order.

        A document's n-grams are those of its words, so each distinct word's columns are
        computed once and kept (up to ``WORD_CACHE_SIZE`` words per fitted vectorizer):
        news vocabulary repeats, and a known word then costs one dictionary look-up
        instead of hashing and searching its dozen or so n-grams.
        """
        check_is_fitted(self, "hashes_")
        table = self._derived_cache("_word_columns", lambda: _WordColumnTable(WORD_CACHE_SIZE))
        documents = [text.lower().split() for text in X]
        words = list(itertools.chain.from_iterable(documents))
        if not words:
            return np.zeros(0, np.int64), np.zeros(0, np.int64)
        owners = np.repeat(np.arange(len(X)),
                           np.fromiter(map(len, documents), dtype=np.int64, count=len(X)))
        slots = np.fromiter(map(table.slots.get, words, itertools.repeat(-1)), dtype=np.int64,
                            count=len(words))
        unseen = np.flatnonzero(slots < 0)
        if not len(unseen):
            return table.gather(slots, owners)
        new_words = list(dict.fromkeys(words[i] for i in unseen.tolist()))
        lengths, columns = self._new_word_columns(new_words)
        table.add(new_words, lengths, columns)
        slots[unseen] = np.fromiter(map(table.slots.get, (words[i] for i in unseen.tolist()),
                                        itertools.repeat(-1)), dtype=np.int64, count=len(unseen))
        stored = slots >= 0
        owner_parts, column_parts = table.gather(slots[stored], owners[stored])
        if stored.all():
            return owner_parts, column_parts
        # The table is full: words it has no room for use their columns just computed.
        left_out = np.flatnonzero(~stored).tolist()
        ends = np.cumsum(lengths).tolist()
        place = {word: i for i, word in enumerate(new_words)}
        arrays = [columns[ends[k] - lengths[k]:ends[k]]
                  for k in (place[words[i]] for i in left_out)]
        sizes = np.fromiter(map(len, arrays), dtype=np.int64, count=len(arrays))
        return (np.concatenate([owner_parts, np.repeat(owners[left_out], sizes)]),
                np.concatenate([column_parts, np.concatenate(arrays)]))

    def transform(self, X):
        """Sparse matrix of shape (n_documents, n_features), rows L2-normalised."""
        return _tfidf_matrix(*self._occurrences(X), self.idf_, len(X), self.sublinear_tf)

    def weighted_sum(self, X, weights: np.ndarray) -> np.ndarray:
        """``self.transform(X) @ weights`` (weights of shape (n_features, k)), without
        building the sparse matrix: what a linear model over this block needs."""
        entries = _tfidf_entries(*self._occurrences(X), self.idf_, len(X), self.sublinear_tf)
        return _weighted_rows(entries, weights)

    def get_feature_names_out(self, input_features=None):
        check_is_fitted(self, "hashes_")
        return self.ngrams_.copy()


def _tfidf_entries(documents, columns, idf, n_documents: int, sublinear_tf: bool):
    """(rows, columns, values, bounds, norms) of the TF-IDF matrix built from the
    (document, column) of every occurrence, before L2 normalisation: sorted by row, then
    column; row ``i``'s entries are ``bounds[i]:bounds[i + 1]``, its norm ``norms[i]``."""
    # One integer key per occurrence, row in the high bits: sorting the keys groups
    # equal (row, column) pairs and orders them by row, then column.
    shift = max(len(idf) - 1, 1).bit_length()
    keys = (documents.astype(np.int64) << shift) | columns
    if n_documents << shift < 2**31:
        keys = keys.astype(np.int32)  # sorting 32-bit keys takes about half the time
    keys.sort()
    first = np.ones(len(keys), dtype=bool)
    np.not_equal(keys[1:], keys[:-1], out=first[1:])
    starts = np.flatnonzero(first)
    # The run lengths; np.diff with ``append`` costs more than the subtraction itself.
    ends = np.empty_like(starts)
    ends[:-1] = starts[1:]
    ends[-1:] = len(keys)
    counts = ends - starts
    keys = keys[starts].astype(np.int64)
    rows, cols = keys >> shift, keys & ((1 << shift) - 1)
    values = counts.astype(np.float32)
    if sublinear_tf:
        values = 1 + np.log(values)
    values *= idf.take(cols)
    bounds = np.searchsorted(rows, np.arange(n_documents + 1))
    norms = np.sqrt(_row_sums(bounds, (values * values).astype(np.float64)))
    return rows, cols, values, bounds, norms


def _row_sums(bounds: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Sum of ``values[bounds[i]:bounds[i + 1]]`` for each row ``i`` (``bounds`` has one
    more entry than there are rows). ``np.add.reduceat`` over the sorted rows: about
    twenty times faster than ``np.bincount`` with weights."""
    starts, ends = bounds[:-1], bounds[1:]
    # A trailing zero makes every start a valid index, even that of an empty last row.
    padded = np.empty(len(values) + 1)  # float64, as np.append(values, 0.0) gave
    padded[:-1] = values
    padded[-1] = 0.0
    sums = np.add.reduceat(padded, starts)
    sums[starts == ends] = 0.0  # reduceat gives an empty row the value at its start
    return sums


def _tfidf_matrix(documents, columns, idf, n_documents: int, sublinear_tf: bool):
    """L2-normalised TF-IDF CSR matrix from the (document, column) of every occurrence."""
    rows, cols, values, bounds, norms = _tfidf_entries(documents, columns, idf, n_documents,
                                                       sublinear_tf)
    values /= norms[rows]
    return sp.csr_matrix((values.astype(np.float32), cols, bounds),
                         shape=(n_documents, len(idf)))


def _weighted_rows(entries, weights: np.ndarray) -> np.ndarray:
    """``matrix @ weights`` for the L2-normalised matrix of :func:`_tfidf_entries`."""
    _, cols, values, bounds, norms = entries
    # One weight vector at a time: gathering from a contiguous vector is about twice as
    # fast as gathering rows of a (n_features, k) array (callers pass a transposed view).
    # Each row's sums are divided by its norm once instead of dividing every entry.
    sums = np.empty((len(bounds) - 1, weights.shape[1]))
    for k, vector in enumerate(weights.T):
        sums[:, k] = _row_sums(bounds, values * vector.take(cols))
    return sums / np.where(norms > 0, norms, 1.0)[:, None]


def _smooth_idf(df, n_documents: int) -> np.ndarray:
    return (np.log((1 + n_documents) / (1 + np.asarray(df))) + 1).astype(np.float32)


class WordNgramTfidf(DerivedCachesMixin, TransformerMixin, BaseEstimator):
    """TF-IDF over word unigrams and bigrams (Slant's tokenizer, lower case).

    Equivalent to ``TfidfVectorizer(tokenizer=tokenize, ngram_range=(1, 2),
    min_df=min_df, sublinear_tf=True)``. Words become ids with one dictionary look-up
    each; bigrams are pairs of ids found with ``np.searchsorted``. A bigram can only be
    kept when both its words are (its document frequency is at most theirs).

    Parameters
    ----------
    min_df : int, default=2
    sublinear_tf : bool, default=True

    Attributes
    ----------
    vocabulary_ : dict of str -> int
        Column of each kept word.
    bigram_keys_ : ndarray of int64
        Sorted ``first_id * n_words + second_id`` of the kept bigrams; bigram ``i`` is
        column ``len(vocabulary_) + i``.
    idf_ : ndarray of shape (n_features,)
    """

    _derived_caches = ("_bigram_index", "_word_ids")

    def __init__(self, min_df=2, sublinear_tf=True):
        self.min_df = min_df
        self.sublinear_tf = sublinear_tf

    def fit(self, X, y=None):
        self._drop_derived_caches()
        documents = [tokenize(text) for text in X]
        word_df = Counter(w for words in documents for w in set(words))
        words = sorted(w for w, n in word_df.items() if n >= self.min_df)
        self.vocabulary_ = {w: i for i, w in enumerate(words)}
        n_words = len(words)
        ids = self.vocabulary_
        bigram_df = Counter(
            key for tokens in documents for key in {
                ids[a] * n_words + ids[b] for a, b in zip(tokens, tokens[1:], strict=False)
                if a in ids and b in ids
            }
        )
        kept = sorted((k, n) for k, n in bigram_df.items() if n >= self.min_df)
        self.bigram_keys_ = np.array([k for k, _ in kept], dtype=np.int64)
        df = [word_df[w] for w in words] + [n for _, n in kept]
        self.idf_ = _smooth_idf(df, len(X))
        self.n_features_out_ = len(df)
        return self

    def _occurrences(self, X) -> tuple[np.ndarray, np.ndarray]:
        """(document, column) of every kept word and bigram occurrence in ``X``."""
        check_is_fitted(self, "vocabulary_")
        word_ids = self._derived_cache("_word_ids", lambda: VocabularyIds(self.vocabulary_, -1))
        tokens = tokenized(X)
        lengths = np.fromiter(map(len, tokens), dtype=np.int64, count=len(tokens))
        ids = word_ids(X)
        documents = np.repeat(np.arange(len(X)), lengths)
        known = ids >= 0
        columns, owners = [ids[known]], [documents[known]]
        if len(ids) > 1 and len(self.bigram_keys_):
            pair = known[:-1] & known[1:] & (documents[:-1] == documents[1:])
            index = self._derived_cache("_bigram_index", lambda: KeyIndex(self.bigram_keys_))
            found = index.find(ids[:-1][pair] * len(self.vocabulary_) + ids[1:][pair])
            hit = found >= 0
            columns.append(len(self.vocabulary_) + found[hit])
            owners.append(documents[:-1][pair][hit])
        return np.concatenate(owners), np.concatenate(columns)

    def transform(self, X):
        """Sparse matrix of shape (n_documents, n_features), rows L2-normalised."""
        return _tfidf_matrix(*self._occurrences(X), self.idf_, len(X), self.sublinear_tf)

    def weighted_sum(self, X, weights: np.ndarray) -> np.ndarray:
        """``self.transform(X) @ weights`` (weights of shape (n_features, k)), without
        building the sparse matrix."""
        entries = _tfidf_entries(*self._occurrences(X), self.idf_, len(X), self.sublinear_tf)
        return _weighted_rows(entries, weights)

    def get_feature_names_out(self, input_features=None):
        check_is_fitted(self, "vocabulary_")
        words = list(self.vocabulary_)
        n = len(words)
        bigrams = [f"{words[k // n]} {words[k % n]}" for k in self.bigram_keys_.tolist()]
        return np.array(words + bigrams, dtype=object)
