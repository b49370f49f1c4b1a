"""The tagger's strongest word as evidence for a sentence head.

A sentence with one clearly loaded word ("barbaric") is often biased even when the rest
of its wording looks neutral to the sentence head's n-grams. :class:`WordEvidenceStack`
is a logistic regression over two numbers per sentence: the logit of the head's
calibrated probability and the logit of the highest loaded-word probability the
:class:`~classifier.tagger.TermTagger` gives any of its words. Fitted on out-of-fold
values of both (see :func:`classifier.training._fit_model`), its output is itself a
calibrated probability.
"""

from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.linear_model import LogisticRegression
from sklearn.utils.validation import check_is_fitted

__all__ = ["WordEvidenceStack", "logit", "sentence_peaks", "tagger_peaks"]

# Probabilities are clipped before the logit: a sentence without words has no strongest
# word (its peak is 0), and a head can round to exactly 0 or 1 in float64.
_FLOOR = 1e-6


def logit(probabilities) -> np.ndarray:
    """log(p / (1 - p)), with ``p`` clipped to [1e-6, 1 - 1e-6]."""
    # np.minimum/np.maximum: the same values as np.clip for a fraction of its overhead.
    p = np.minimum(np.maximum(np.asarray(probabilities, dtype=np.float64), _FLOOR),
                   1.0 - _FLOOR)
    return np.log(p) - np.log1p(-p)


def sentence_peaks(lengths, probabilities) -> np.ndarray:
    """The highest word probability of each sentence (0 for a sentence without words).

    ``lengths`` and ``probabilities`` are laid out as
    :meth:`~classifier.tagger.TermTagger.token_probabilities` returns them.
    """
    lengths = np.asarray(lengths, dtype=np.int64)
    peaks = np.zeros(len(lengths))
    nonempty = np.flatnonzero(lengths)
    if len(nonempty):
        starts = (np.cumsum(lengths) - lengths)[nonempty]
        peaks[nonempty] = np.maximum.reduceat(np.asarray(probabilities), starts)
    return peaks


def tagger_peaks(tagger, texts: list[str]) -> np.ndarray:
    """Each text's highest word probability under ``tagger`` (a fitted ``TermTagger``)."""
    _, lengths, probabilities = tagger.token_probabilities(texts)
    return sentence_peaks(lengths, probabilities)


class WordEvidenceStack(ClassifierMixin, BaseEstimator):
    """Logistic regression on (head probability, strongest-word probability), in logits.

    Parameters
    ----------
    C : float, default=1.0
        Inverse regularisation strength (two features and thousands of sentences: it
        barely matters).

    Attributes
    ----------
    coef_ : ndarray of shape (2,)
        Weights of the head's logit and of the strongest word's logit.
    intercept_ : float
    peak_reference_ : float
        Mean logit of the strongest word over the training sentences: ``explain``
        reports the word's contribution relative to a typical sentence.
    """

    def __init__(self, C: float = 1.0) -> None:
        self.C = C

    def fit(self, X, y):
        """Fit on ``X`` of shape (n_sentences, 2): head probability and peak probability."""
        X = np.asarray(X, dtype=np.float64)
        if X.ndim != 2 or X.shape[1] != 2:
            raise ValueError(f"X must have shape (n_sentences, 2), not {X.shape}")
        logits = np.column_stack([logit(X[:, 0]), logit(X[:, 1])])
        model = LogisticRegression(C=self.C).fit(logits, y)
        self.classes_ = model.classes_
        self.coef_ = model.coef_[0].copy()
        self.intercept_ = float(model.intercept_[0])
        self.peak_reference_ = float(logits[:, 1].mean())
        return self

    def combine(self, head_probabilities, peaks) -> np.ndarray:
        """The stacked probability for each sentence (arrays of shape (n_sentences,))."""
        check_is_fitted(self, "coef_")
        value = (self.coef_[0] * logit(head_probabilities) + self.coef_[1] * logit(peaks)
                 + self.intercept_)
        return 1.0 / (1.0 + np.exp(-value))

    def peak_contribution(self, peaks) -> np.ndarray:
        """How far the strongest word moved each sentence's logit, relative to a typical
        training sentence's strongest word."""
        check_is_fitted(self, "coef_")
        return self.coef_[1] * (logit(peaks) - self.peak_reference_)

    def predict_proba(self, X) -> np.ndarray:
        X = np.asarray(X, dtype=np.float64)
        positive = self.combine(X[:, 0], X[:, 1])
        return np.column_stack([1.0 - positive, positive])

    def predict(self, X) -> np.ndarray:
        return self.classes_[(self.predict_proba(X)[:, 1] >= 0.5).astype(int)]
