"""Metrics Slant reports for its models: the same code for ``train.py`` and ``slant eval``."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.metrics import f1_score, precision_score, recall_score, roc_auc_score

from .datasets import (
    GENERIC_TASKS,
    LabelledSentence,
    describe_problems,
    evaluation_sets,
    read_generic,
    splits_for,
)
from .errors import DataError
from .tagger import label_tokens

__all__ = [
    "expected_calibration_error",
    "calibration_noise",
    "sentence_metrics",
    "token_metrics",
    "evaluate_model",
    "evaluate_on",
    "SENTENCE_TASKS",
    "sentence_task",
]

#: task name -> (label attribute, model head that predicts it)
SENTENCE_TASKS = {
    "bias": ("bias", "loaded"),
    "opinion": ("opinion", "stance"),
    "subjectivity": ("subjective", "stance"),
}


def sentence_task(name: str) -> tuple[str, str]:
    """(label attribute, head) of a sentence set's name: a key of ``SENTENCE_TASKS``,
    optionally followed by ``:`` and the data set's name (``bias:mydata``)."""
    return SENTENCE_TASKS[name.partition(":")[0]]


def expected_calibration_error(y_true, probabilities, n_bins: int = 10) -> float:
    """Expected calibration error with equal-width bins.

    Parameters
    ----------
    y_true : array-like of shape (n,) with 0/1 labels
    probabilities : array-like of shape (n,) in [0, 1]
    n_bins : int, default=10
    """
    y_true = np.asarray(y_true, dtype=float)
    probabilities = np.asarray(probabilities, dtype=float)
    if len(y_true) == 0:
        return 0.0
    bins = np.minimum((probabilities * n_bins).astype(int), n_bins - 1)
    error = 0.0
    for b in range(n_bins):
        mask = bins == b
        if mask.any():
            error += mask.mean() * abs(probabilities[mask].mean() - y_true[mask].mean())
    return float(error)


#: Simulated label sets behind :func:`calibration_noise`.
NOISE_DRAWS = 2000
_NOISE_BLOCK_ELEMENTS = 2_000_000  # draws x sentences per block: some 50 MB of temporaries


def calibration_noise(probabilities, n_bins: int = 10, draws: int = NOISE_DRAWS,
                      seed: int = 0) -> dict[str, Any]:
    """The ECE a perfectly calibrated model would show with these scores.

    With a few hundred sentences, ten bins hold a few dozen each, and sampling noise alone
    gives a sizeable ECE. Labels are drawn as ``y ~ Bernoulli(p)`` from the scores
    themselves ``draws`` times (deterministic for a given ``seed``); a measured ECE below
    ``ece_if_calibrated_p95`` is within what a calibrated model shows on this many
    sentences.

    Returns
    -------
    dict
        ``ece_if_calibrated`` (the median over the draws) and ``ece_if_calibrated_p95``
        (the 95th percentile); None for no scores.
    """
    probabilities = np.asarray(probabilities, dtype=float)
    n = len(probabilities)
    if n == 0:
        return {"ece_if_calibrated": None, "ece_if_calibrated_p95": None}
    rng = np.random.default_rng(seed)
    bins = np.minimum((probabilities * n_bins).astype(int), n_bins - 1)
    # ECE = sum over bins of |sum of (p - y) in the bin| / n: a matrix product per block of
    # draws, with the bins as one-hot columns. Blocks keep memory bounded on large sets.
    one_hot = np.zeros((n, n_bins))
    one_hot[np.arange(n), bins] = 1.0
    block = max(1, min(draws, _NOISE_BLOCK_ELEMENTS // n))
    errors = []
    for first in range(0, draws, block):
        simulated = rng.random((min(block, draws - first), n)) < probabilities
        errors.append(np.abs((probabilities - simulated) @ one_hot).sum(axis=1) / n)
    median, p95 = np.percentile(np.concatenate(errors), [50, 95])
    return {"ece_if_calibrated": round(float(median), 4),
            "ece_if_calibrated_p95": round(float(p95), 4)}


def reliability_curve(y_true, probabilities, n_bins: int = 10):
    """(mean predicted, observed rate, count) per non-empty equal-width bin."""
    y_true = np.asarray(y_true, dtype=float)
    probabilities = np.asarray(probabilities, dtype=float)
    bins = np.minimum((probabilities * n_bins).astype(int), n_bins - 1)
    rows = []
    for b in range(n_bins):
        mask = bins == b
        if mask.any():
            rows.append((float(probabilities[mask].mean()), float(y_true[mask].mean()),
                         int(mask.sum())))
    return rows


def sentence_metrics(y_true, probabilities, threshold: float = 0.5) -> dict[str, Any]:
    """Macro-F1, positive-class F1, precision, recall, ROC AUC and ECE of one binary task,
    with the ECE a calibrated model would show on as many sentences
    (:func:`calibration_noise`)."""
    y_true = np.asarray(y_true, dtype=int)
    probabilities = np.asarray(probabilities, dtype=float)
    predicted = (probabilities >= threshold).astype(int)
    both_classes = len(np.unique(y_true)) == 2
    return {
        "n": int(len(y_true)),
        "positive_rate": round(float(y_true.mean()), 4) if len(y_true) else None,
        "macro_f1": round(float(f1_score(y_true, predicted, average="macro", zero_division=0)), 4),
        "f1": round(float(f1_score(y_true, predicted, zero_division=0)), 4),
        "precision": round(float(precision_score(y_true, predicted, zero_division=0)), 4),
        "recall": round(float(recall_score(y_true, predicted, zero_division=0)), 4),
        "roc_auc": round(float(roc_auc_score(y_true, probabilities)), 4) if both_classes else None,
        "ece": round(expected_calibration_error(y_true, probabilities), 4),
        **calibration_noise(probabilities),
    }


def token_labels_and_scores(tagger, records: Sequence[LabelledSentence]):
    """Flattened 0/1 token labels and tagger probabilities for span-labelled records."""
    records = [r for r in records if r.spans is not None]
    _, _, scores = tagger.token_probabilities([r.text for r in records])
    labels = [label for r in records for label in label_tokens(r.text, r.spans)[1]]
    return np.array(labels, dtype=int), np.asarray(scores, dtype=float)


def token_metrics(tagger, records: Sequence[LabelledSentence], threshold: float) -> dict[str, Any]:
    """Token-level precision, recall and F1 of the loaded-term tagger (token inside a span)."""
    labels, scores = token_labels_and_scores(tagger, records)
    predicted = (scores >= threshold).astype(int)
    return {
        "tokens": int(len(labels)),
        "positive_tokens": int(labels.sum()),
        "f1": round(float(f1_score(labels, predicted, zero_division=0)), 4),
        "precision": round(float(precision_score(labels, predicted, zero_division=0)), 4),
        "recall": round(float(recall_score(labels, predicted, zero_division=0)), 4),
    }


def evaluate_model(model, sentence_sets: dict[str, list[LabelledSentence]],
                   term_sets: dict[str, list[LabelledSentence]],
                   term_threshold: float) -> dict[str, Any]:
    """All metrics of ``model`` on labelled sets.

    Parameters
    ----------
    sentence_sets : dict
        task name (a key of ``SENTENCE_TASKS``, optionally followed by ``:`` and the data
        set's name, as in ``bias:mydata``) -> records labelled for that task.
    term_sets : dict
        corpus name -> span-labelled records.
    """
    metrics: dict[str, Any] = {"sentences": {}, "terms": {}}
    for task, records in sentence_sets.items():
        attribute, head = sentence_task(task)
        records = [r for r in records if getattr(r, attribute) is not None]
        if not records:
            continue
        scores = model.score_sentences([r.text for r in records])[head]
        metrics["sentences"][task] = {
            "head": head,
            **sentence_metrics([getattr(r, attribute) for r in records], scores),
        }
    for corpus, records in term_sets.items():
        if any(r.spans is not None for r in records):
            metrics["terms"][corpus] = token_metrics(model.tagger, records, term_threshold)
    return metrics


def evaluate_on(model, data: Path | str, task: str = "bias") -> dict[str, Any]:
    """Metrics of ``model`` on a corpora folder (its held-out split) or a generic file.

    For a corpora folder the split and sampling follow the model's own training config
    (extra files included, read from the paths it names), so the result reproduces
    ``metadata["metrics"]["heldout"]``. For a generic file, unusable rows are left out
    and listed in ``metrics["skipped_rows"]`` (``line``, ``error``); a file with no usable
    row raises :class:`DataError`.
    """
    data = Path(data)
    if data.is_dir():
        _, test_of = splits_for(data, model.metadata.get("config", {}))
        return evaluate_model(model, *evaluation_sets(test_of),
                              model.metadata.get("term_threshold", model.tagger.threshold))
    records, problems = read_generic(data, task=task)
    if not records:
        raise DataError(describe_problems(data, problems) if problems else f"no rows in {data}")
    metrics = evaluate_model(model, {GENERIC_TASKS[task]: records}, {data.stem: records},
                             model.metadata.get("term_threshold", model.tagger.threshold))
    # A bad row is reported and the rest are scored, as in a batch of documents.
    metrics["skipped_rows"] = [{"line": p.line, "error": p.message} for p in problems]
    return metrics
