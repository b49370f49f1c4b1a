import numpy as np
import pytest

from classifier.stacking import WordEvidenceStack, logit, sentence_peaks


def test_logit_is_clipped_and_inverts_the_sigmoid():
    z = np.array([-3.0, 0.0, 2.5])
    assert logit(1 / (1 + np.exp(-z))) == pytest.approx(z)
    assert np.isfinite(logit([0.0, 1.0])).all()
    assert logit([0.0])[0] == pytest.approx(-logit([1.0])[0])


def test_sentence_peaks_take_each_sentences_maximum():
    lengths = np.array([2, 0, 3, 1])
    probabilities = np.array([0.1, 0.7, 0.2, 0.9, 0.3, 0.05])
    assert sentence_peaks(lengths, probabilities).tolist() == [0.7, 0.0, 0.9, 0.05]
    assert sentence_peaks(np.array([0, 0]), np.zeros(0)).tolist() == [0.0, 0.0]
    assert sentence_peaks(np.zeros(0, dtype=int), np.zeros(0)).tolist() == []


def _evidence(n=4000, seed=0):
    """Sentences whose label depends on both the head's logit and the strongest word."""
    rng = np.random.default_rng(seed)
    head_logit, peak_logit = rng.normal(0, 1.5, n), rng.normal(-2, 1.5, n)
    truth = 1 / (1 + np.exp(-(0.8 * head_logit + 0.6 * (peak_logit + 2))))
    y = (rng.random(n) < truth).astype(int)
    return np.column_stack([1 / (1 + np.exp(-head_logit)), 1 / (1 + np.exp(-peak_logit))]), y


def test_stack_learns_both_kinds_of_evidence_and_stays_calibrated():
    X, y = _evidence()
    stack = WordEvidenceStack().fit(X, y)
    assert stack.coef_[0] == pytest.approx(0.8, abs=0.15)
    assert stack.coef_[1] == pytest.approx(0.6, abs=0.15)
    X_new, y_new = _evidence(seed=1)
    probabilities = stack.predict_proba(X_new)[:, 1]
    assert probabilities == pytest.approx(stack.combine(X_new[:, 0], X_new[:, 1]))
    # Calibrated: in every probability decile the observed rate is close to the mean score.
    bins = np.minimum((probabilities * 10).astype(int), 9)
    for b in np.unique(bins):
        mask = bins == b
        if mask.sum() > 200:
            assert y_new[mask].mean() == pytest.approx(probabilities[mask].mean(), abs=0.06)
    assert set(stack.predict(X_new)) <= {0, 1}


def test_peak_contribution_is_relative_to_a_typical_sentence():
    X, y = _evidence()
    stack = WordEvidenceStack().fit(X, y)
    typical = 1 / (1 + np.exp(-stack.peak_reference_))
    pushes = stack.peak_contribution(np.array([typical, 0.9, 0.001]))
    assert pushes[0] == pytest.approx(0.0, abs=1e-9)
    assert pushes[1] > 0 > pushes[2]


def test_stack_rejects_other_shapes():
    with pytest.raises(ValueError, match="shape"):
        WordEvidenceStack().fit(np.zeros((5, 3)), np.array([0, 1, 0, 1, 0]))
