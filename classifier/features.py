"""Feature transformers for Slant's sentence models (scikit-learn estimators).

They follow scikit-learn's conventions: ``__init__`` only stores its arguments,
``fit`` learns and returns ``self``, learned attributes end in ``_``, and they
compose in ``Pipeline``/``FeatureUnion`` and pickle with the model.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.pipeline import FeatureUnion
from sklearn.utils.validation import check_is_fitted

from .caches import DerivedCachesMixin
from .quotes import is_attributed
from .tokens import VocabularyIds, tokenized
from .vectorizers import CharNgramTfidf, WordNgramTfidf

__all__ = ["LexiconFeatures", "SentenceShapeFeatures", "build_sentence_features"]


class _DenseBlock:
    """``transform`` and ``weighted_sum`` of a block that computes a small dense array
    (``_dense``): the analyzer's fast path multiplies the array by its weights directly."""

    def transform(self, X):
        """Return ``_dense(X)`` as a sparse matrix of shape (n_sentences, n_features)."""
        return sp.csr_matrix(self._dense(X))

    def weighted_sum(self, X, weights: np.ndarray) -> np.ndarray:
        """``self.transform(X) @ weights`` without the sparse conversion."""
        return self._dense(X) @ weights


class LexiconFeatures(_DenseBlock, DerivedCachesMixin, TransformerMixin, BaseEstimator):
    """Share of a sentence's words that belong to each lexicon, plus its length.

    Parameters
    ----------
    lexicons : dict of str -> collection of str, default=None
        Named word lists (for example the Recasens bias lexicon or MPQA strong
        subjective clues). ``None`` means no lexicon features, only length.

    Attributes
    ----------
    lexicon_names_ : list of str
        Lexicon order in the output columns.
    membership_ : dict of str -> tuple of int
        For each known word, the columns of the lexicons that contain it.
    """

    _derived_caches = ("_patterns",)

    def __init__(self, lexicons=None):
        self.lexicons = lexicons

    def fit(self, X, y=None):
        self._drop_derived_caches()
        lexicons = self.lexicons or {}
        self.lexicon_names_ = sorted(lexicons)
        membership: dict[str, tuple[int, ...]] = {}
        for column, name in enumerate(self.lexicon_names_):
            for word in lexicons[name]:
                membership[word] = (*membership.get(word, ()), column)
        # Tuples of ints, not arrays: thousands of tiny arrays make unpickling slow.
        self.membership_ = membership
        self.n_features_out_ = len(self.lexicon_names_) + 1
        return self

    def _dense(self, X) -> np.ndarray:
        """The features as a dense array of shape (n_sentences, n_lexicons + 1)."""
        check_is_fitted(self, "membership_")
        n_lexicons = len(self.lexicon_names_)
        # Each distinct membership (a tuple of lexicon columns) becomes a row of 0/1
        # indicators; counting a sentence's words per membership is then one bincount.
        pattern_ids, table = self._derived_cache("_patterns", self._build_patterns)
        tokens = tokenized(X)
        lengths = np.fromiter(map(len, tokens), dtype=np.int64, count=len(tokens))
        ids = pattern_ids(X)
        owner = np.repeat(np.arange(len(X)), lengths)
        counts = np.bincount(owner * len(table) + ids, minlength=len(X) * len(table))
        out = np.empty((len(X), n_lexicons + 1))
        # sqrt-normalised counts: a long sentence is not loaded just by being long.
        out[:, :n_lexicons] = counts.reshape(len(X), len(table)) @ table
        out[:, :n_lexicons] /= np.sqrt(np.maximum(lengths, 1))[:, None]
        out[:, n_lexicons] = np.log1p(lengths) / 4.0
        return out

    def _build_patterns(self) -> tuple[VocabularyIds, np.ndarray]:
        """(pattern id of each word, the 0/1 lexicon indicators of each pattern id)."""
        distinct = sorted(set(self.membership_.values()))
        index = {pattern: i for i, pattern in enumerate(distinct, start=1)}
        table = np.zeros((len(distinct) + 1, len(self.lexicon_names_)))
        for pattern, i in index.items():
            table[i, list(pattern)] = 1.0
        pattern_of = {word: index[pattern] for word, pattern in self.membership_.items()}
        return VocabularyIds(pattern_of, 0), table

    def get_feature_names_out(self, input_features=None):
        check_is_fitted(self, "membership_")
        return np.array([f"lexicon_{n}" for n in self.lexicon_names_] + ["length"], dtype=object)


_FIRST_PERSON = frozenset({"i", "we", "our", "us", "my", "me", "ours"})
_SECOND_PERSON = frozenset({"you", "your", "yours"})
_QUOTE_MARKS = frozenset("\"“”")
_CLOSING_QUOTES = ("\"", "”")
#: Word-count bins: the lexicon block's log length is linear, reporting and opinion are not
#: (short punchy sentences and very long ones lean to opinion in BABE).
_LENGTH_BINS = (10, 20, 30, 45)
_MARK_NAMES = ("quote_marks", "attributed", "exclamation", "question", "first_person",
               "second_person", "digit", "colon", "semicolon", "parenthesis", "ends_in_quote")
_SHAPE_NAMES = (*_MARK_NAMES, *(f"words_le_{n}" for n in _LENGTH_BINS),
                f"words_gt_{_LENGTH_BINS[-1]}")


class SentenceShapeFeatures(_DenseBlock, TransformerMixin, BaseEstimator):
    """Indicators of how a sentence is built rather than which words it uses: quotation
    marks, an attribution to a source ("the minister said"), ! and ?, first- and
    second-person pronouns, digits, colons, semicolons, parentheses and word-count bins.

    The word and character blocks see words only, never punctuation; numbers reach them
    as many rare tokens rather than one "has a figure" signal; and a reporting verb alone
    does not tell "the minister said" from "it is said". Stateless: ``fit`` only records
    the width.
    """

    def fit(self, X, y=None):
        self.n_features_out_ = len(_SHAPE_NAMES)
        return self

    def _dense(self, X) -> np.ndarray:
        check_is_fitted(self, "n_features_out_")
        tokens = tokenized(X)
        out = np.zeros((len(X), len(_SHAPE_NAMES)))
        bins = np.searchsorted(_LENGTH_BINS, np.fromiter(map(len, tokens), dtype=np.int64,
                                                        count=len(tokens)))
        n_marks = len(_MARK_NAMES)
        out[np.arange(len(X)), n_marks + bins] = 1.0  # one length bin per sentence
        for row, (text, words) in enumerate(zip(X, tokens, strict=True)):
            trimmed = text.rstrip()
            out[row, :n_marks] = (  # in the order of _MARK_NAMES
                not _QUOTE_MARKS.isdisjoint(text),
                is_attributed(text),
                "!" in text,
                "?" in text,
                not _FIRST_PERSON.isdisjoint(words),
                not _SECOND_PERSON.isdisjoint(words),
                any(map(str.isdigit, text)),
                ":" in text,
                ";" in text,
                "(" in text,
                trimmed.endswith(_CLOSING_QUOTES),
            )
        return out

    def get_feature_names_out(self, input_features=None):
        check_is_fitted(self, "n_features_out_")
        return np.array([f"shape_{n}" for n in _SHAPE_NAMES], dtype=object)


def build_sentence_features(lexicons=None, char_ngrams: bool = True,
                            shape_features: bool = False) -> FeatureUnion:
    """The sentence feature union: word 1-2-gram TF-IDF, character 2-5-gram TF-IDF
    (inside word boundaries) and lexicon shares. The TF-IDF blocks are computed with numpy
    (:mod:`classifier.vectorizers`), equal to scikit-learn's ``TfidfVectorizer``.

    Parameters
    ----------
    lexicons : dict of str -> collection of str, optional
    char_ngrams : bool, default=True
        Whether to include the character n-gram block (slower, more robust to rare words).
    shape_features : bool, default=False
        Whether to include :class:`SentenceShapeFeatures`.
    """
    blocks = [("words", WordNgramTfidf(min_df=2))]
    if char_ngrams:
        blocks.append(("chars", CharNgramTfidf(ngram_range=(2, 5), min_df=3,
                                               max_features=60000)))
    blocks.append(("lexicons", LexiconFeatures(lexicons)))
    if shape_features:
        blocks.append(("shape", SentenceShapeFeatures()))
    return FeatureUnion(blocks)
