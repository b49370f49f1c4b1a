import numpy as np
import pytest

from classifier.evaluation import (
    evaluate_on,
    expected_calibration_error,
    reliability_curve,
    sentence_metrics,
)


def test_ece_is_zero_for_perfect_calibration_and_large_for_overconfidence():
    y = np.array([0, 1] * 50)
    assert expected_calibration_error(y, np.full(100, 0.5)) == pytest.approx(0.0)
    assert expected_calibration_error(y, np.where(y == 1, 0.0, 1.0)) == pytest.approx(1.0)
    assert expected_calibration_error([], []) == 0.0


def test_reliability_curve_bins():
    rows = reliability_curve([0, 1, 1, 1], [0.05, 0.95, 0.95, 0.91])
    assert rows == [(0.05, 0.0, 1), (pytest.approx(0.9367, abs=1e-3), 1.0, 3)]


def test_sentence_metrics():
    m = sentence_metrics([0, 0, 1, 1], [0.1, 0.6, 0.7, 0.9])
    assert m["macro_f1"] == pytest.approx(0.7333, abs=1e-3)
    assert m["roc_auc"] == 1.0 and m["n"] == 4
    assert sentence_metrics([1, 1], [0.9, 0.8])["roc_auc"] is None


def test_eval_reproduces_the_metadata_metrics(tiny_model, tiny_data_dir):
    recorded = tiny_model.metadata["metrics"]["heldout"]
    again = evaluate_on(tiny_model, tiny_data_dir)
    assert again["sentences"] == recorded["sentences"]
    assert again["terms"] == recorded["terms"]


def test_eval_on_a_generic_file(tiny_model, tmp_path):
    import json

    path = tmp_path / "set.jsonl"
    rows = [{"text": "The council made a shameful decision.", "label": 1, "spans": [[19, 27]]},
            {"text": "The council met on Tuesday.", "label": 0, "spans": []}]
    path.write_text("\n".join(json.dumps(r) for r in rows))
    metrics = evaluate_on(tiny_model, path, task="bias")
    assert metrics["sentences"]["bias"]["n"] == 2
    assert metrics["terms"]["set"]["positive_tokens"] == 1
