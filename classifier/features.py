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

from .tokens import tokenize
from .vectorizers import CharNgramTfidf, WordNgramTfidf

__all__ = ["LexiconFeatures", "build_sentence_features"]


class LexiconFeatures(TransformerMixin, BaseEstimator):
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

    def __init__(self, lexicons=None):
        self.lexicons = lexicons

    def fit(self, X, y=None):
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

    def transform(self, X):
        """Return a sparse matrix of shape (n_sentences, n_lexicons + 1)."""
        check_is_fitted(self, "membership_")
        n_lexicons = len(self.lexicon_names_)
        out = np.zeros((len(X), n_lexicons + 1))
        get = self.membership_.get
        for i, text in enumerate(X):
            words = tokenize(text)
            for word in words:
                for column in get(word, ()):
                    out[i, column] += 1.0
            if words:
                # sqrt-normalised counts: a long sentence is not loaded just by being long.
                out[i, :n_lexicons] /= np.sqrt(len(words))
            out[i, n_lexicons] = np.log1p(len(words)) / 4.0
        return sp.csr_matrix(out)

    def get_feature_names_out(self, input_features=None):
        check_is_fitted(self, "membership_")
        return np.array([f"lexicon_{n}" for n in self.lexicon_names_] + ["length"], dtype=object)


def build_sentence_features(lexicons=None, char_ngrams: bool = True) -> FeatureUnion:
    """The sentence feature union: word 1-2-gram TF-IDF, character 2-5-gram TF-IDF
    (inside word boundaries) and lexicon shares. The TF-IDF blocks are computed with numpy
    (:mod:`classifier.vectorizers`), equal to scikit-learn's ``TfidfVectorizer``.

    Parameters
    ----------
    lexicons : dict of str -> collection of str, optional
    char_ngrams : bool, default=True
        Whether to include the character n-gram block (slower, more robust to rare words).
    """
    blocks = [("words", WordNgramTfidf(min_df=2))]
    if char_ngrams:
        blocks.append(("chars", CharNgramTfidf(ngram_range=(2, 5), min_df=3,
                                               max_features=60000)))
    blocks.append(("lexicons", LexiconFeatures(lexicons)))
    return FeatureUnion(blocks)
