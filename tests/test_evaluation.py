import numpy as np
import pytest

from classifier.evaluation import (
    calibration_noise,
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


def test_calibration_noise_is_what_a_calibrated_model_shows():
    rng = np.random.default_rng(7)
    p = rng.random(300)
    noise = calibration_noise(p)
    assert noise == calibration_noise(p)  # deterministic
    # At 300 sentences a calibrated model's ECE is far from 0 (about 0.06)...
    assert 0.03 < noise["ece_if_calibrated"] < noise["ece_if_calibrated_p95"] < 0.12
    trials = [expected_calibration_error((rng.random(300) < p).astype(int), p)
              for _ in range(400)]
    assert np.median(trials) == pytest.approx(noise["ece_if_calibrated"], abs=0.006)
    assert np.mean(np.array(trials) <= noise["ece_if_calibrated_p95"]) == pytest.approx(
        0.95, abs=0.03)
    # ...and shrinks with more sentences.
    assert calibration_noise(rng.random(20_000))["ece_if_calibrated"] < 0.01
    # Scores 0.25 too high have an ECE far above it.
    labels = (rng.random(300) < p).astype(int)
    biased = np.clip(p + 0.25, 0, 1)
    assert expected_calibration_error(labels, biased) > calibration_noise(biased)[
        "ece_if_calibrated_p95"]
    assert calibration_noise([]) == {"ece_if_calibrated": None, "ece_if_calibrated_p95": None}


def test_sentence_metrics_carry_the_calibration_noise():
    m = sentence_metrics([0, 1] * 20, np.linspace(0.05, 0.95, 40))
    assert set(m) >= {"ece", "ece_if_calibrated", "ece_if_calibrated_p95"}


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


def test_eval_on_a_generic_file_skips_bad_rows(tiny_model, tmp_path):
    from classifier.errors import DataError

    path = tmp_path / "set.jsonl"
    path.write_text('{"text": "The council made a shameful decision.", "label": 1}\n'
                    '{"text": "", "label": 0}\n')
    metrics = evaluate_on(tiny_model, path, task="bias")
    assert metrics["sentences"]["bias"]["n"] == 1
    assert metrics["skipped_rows"] == [{"line": 2, "error": "missing text"}]
    path.write_text('{"text": "", "label": 0}\n')
    with pytest.raises(DataError, match="set.jsonl:1: missing text"):
        evaluate_on(tiny_model, path, task="bias")
