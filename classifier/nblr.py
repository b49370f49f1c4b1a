"""NB-weighted logistic regression (Wang & Manning 2012, "NBSVM"), a sentence-head estimator.

Each feature column is scaled by the magnitude of its naive-Bayes log-count ratio
before a logistic regression is fitted, so that words and character n-grams that
separate the classes in the training data start with more weight than the
regulariser would otherwise let them have. The fitted weights are folded back into
``coef_`` over the *unscaled* features: scoring is an ordinary linear model (one sparse
dot product) and ``coef_`` explains a sentence's score feature by feature, exactly as
for a plain :class:`~sklearn.linear_model.LogisticRegression`.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.linear_model import LogisticRegression
from sklearn.utils.validation import check_is_fitted, validate_data

__all__ = ["NBLogisticRegression", "log_count_ratio"]


def log_count_ratio(X, y, alpha: float = 1.0, sample_weight=None) -> np.ndarray:
    """Naive-Bayes log-count ratio of each column of ``X`` for binary labels ``y``.

    Parameters
    ----------
    X : sparse matrix of shape (n_samples, n_features)
        Only presence (value > 0) counts.
    y : array-like of shape (n_samples,) with 0/1 labels
    alpha : float, default=1.0
        Additive smoothing of the counts.
    sample_weight : array-like of shape (n_samples,), optional

    Returns
    -------
    ndarray of shape (n_features,)
        ``log((p / |p|_1) / (q / |q|_1))`` with ``p`` (``q``) the smoothed weighted
        counts in the positive (negative) class.
    """
    X = sp.csr_matrix(X)
    present = X.copy()
    present.data = (present.data > 0).astype(np.float64)
    y = np.asarray(y)
    weight = np.ones(len(y)) if sample_weight is None else np.asarray(sample_weight, float)
    p = alpha + np.asarray(present.T @ (weight * (y == 1))).ravel()
    q = alpha + np.asarray(present.T @ (weight * (y != 1))).ravel()
    return np.log((p / p.sum()) / (q / q.sum()))


class NBLogisticRegression(ClassifierMixin, BaseEstimator):
    """Logistic regression over features scaled by ``|log-count ratio| ** power``.

    Parameters
    ----------
    C : float, default=1.0
        Inverse regularisation strength of the logistic regression.
    power : float, default=0.5
        Exponent of the scaling; 0 gives a plain logistic regression, 1 full NB weights.
    alpha : float, default=1.0
        Smoothing of the naive-Bayes counts.
    class_weight : dict, "balanced" or None, default=None
    max_iter : int, default=3000
    random_state : int or None, default=None
        Seed of the liblinear solver's coordinate order.

    Attributes
    ----------
    coef_ : ndarray of shape (1, n_features)
        Weights over the original (unscaled) features.
    intercept_ : ndarray of shape (1,)
    classes_ : ndarray of shape (2,)
    n_features_in_ : int
    """

    def __init__(self, C=1.0, power=0.5, alpha=1.0, class_weight=None, max_iter=3000,
                 random_state=None):
        self.C = C
        self.power = power
        self.alpha = alpha
        self.class_weight = class_weight
        self.max_iter = max_iter
        self.random_state = random_state

    def fit(self, X, y, sample_weight=None):
        """Fit on a feature matrix ``X`` (n_samples, n_features) and 0/1 labels ``y``."""
        X, y = validate_data(self, X, y, accept_sparse="csr", dtype=np.float64)
        classes = np.unique(y)
        if len(classes) != 2:
            raise ValueError(f"NBLogisticRegression needs two classes, got {len(classes)}")
        positive = (y == classes[1]).astype(int)
        scale = np.abs(log_count_ratio(X, positive, self.alpha, sample_weight)) ** self.power
        model = LogisticRegression(C=self.C, solver="liblinear", class_weight=self.class_weight,
                                   max_iter=self.max_iter, random_state=self.random_state)
        model.fit(X @ sp.diags(scale), y, sample_weight=sample_weight)
        self.classes_ = model.classes_
        self.coef_ = model.coef_ * scale
        self.intercept_ = model.intercept_
        return self

    def decision_function(self, X) -> np.ndarray:
        """Logits of shape (n_samples,): ``X @ coef_.T + intercept_``."""
        check_is_fitted(self, "coef_")
        X = validate_data(self, X, accept_sparse="csr", reset=False)
        return np.asarray(X @ self.coef_.ravel()).ravel() + self.intercept_[0]

    def predict(self, X) -> np.ndarray:
        """Class labels of shape (n_samples,)."""
        return self.classes_[(self.decision_function(X) > 0).astype(int)]

    def predict_proba(self, X) -> np.ndarray:
        """Probabilities of shape (n_samples, 2) from the logistic link."""
        positive = 1.0 / (1.0 + np.exp(-self.decision_function(X)))
        return np.column_stack([1.0 - positive, positive])
