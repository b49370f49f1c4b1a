import ast
import json
from pathlib import Path

import pytest

from classifier.model import read_metadata
from classifier.training import TrainingConfig, train_and_save

ROOT = Path(__file__).resolve().parent.parent


def test_training_is_deterministic(tiny_data_dir, tiny_model_dir, tmp_path):
    config = TrainingConfig(char_ngrams=False, calibration_folds=3)
    train_and_save(tiny_data_dir, tmp_path / "again", config)
    first, second = read_metadata(tiny_model_dir), read_metadata(tmp_path / "again")
    assert first["artifact"]["sha256"] == second["artifact"]["sha256"]
    assert first["metrics"] == second["metrics"]


def test_metadata_records_data_hashes_config_and_metrics(tiny_model_dir):
    meta = read_metadata(tiny_model_dir)
    assert set(meta["training_data"]["sha256"]) == {"babe", "ptc", "basil",
                                                    "checkthat-subj-en", "lexicons"}
    assert meta["config"]["char_ngrams"] is False
    for task in ("bias", "opinion", "subjectivity"):
        assert 0 <= meta["metrics"]["heldout"]["sentences"][task]["macro_f1"] <= 1
    assert 0 < meta["term_threshold"] < 1


def test_model_card_is_rendered_from_metadata(tiny_model_dir):
    card = (tiny_model_dir / "MODEL_CARD.md").read_text()
    meta = read_metadata(tiny_model_dir)
    assert meta["artifact"]["sha256"] in card
    bias = meta["metrics"]["heldout"]["sentences"]["bias"]
    assert f"{bias['macro_f1']:.3f}" in card
    for heading in ("Intended use", "Data and licences", "Metrics", "Limitations"):
        assert f"## {heading}" in card or heading in card


def test_unknown_training_option():
    with pytest.raises(TypeError, match="unknown training options"):
        TrainingConfig(learning_rate=3)


def test_train_script_defines_nothing_picklable():
    """Classes or functions in train.py would be pickled as __main__.X and break loading."""
    tree = ast.parse((ROOT / "train.py").read_text())
    assert not [n for n in tree.body if isinstance(n, ast.ClassDef | ast.FunctionDef)]


def test_report_has_plots_and_metrics(tiny_data_dir, tmp_path):
    pytest.importorskip("matplotlib")
    _, directory = train_and_save(tiny_data_dir, tmp_path / "m",
                                  TrainingConfig(char_ngrams=False, calibration_folds=3),
                                  report=True)
    report = directory / "report"
    metrics = json.loads((report / "metrics.json").read_text())
    assert metrics["heldout"]["sentences"]["bias"]["n"] > 0
    for task in ("bias", "opinion", "subjectivity"):
        png = report / f"{task}.png"
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 5000


@pytest.mark.corpora
def test_retrain_on_a_slice_of_the_real_corpora(shared_data, tmp_path):
    model, directory = train_and_save(
        shared_data, tmp_path / "slice", TrainingConfig(max_sentences=1500, char_ngrams=False)
    )
    metrics = model.metadata["metrics"]["heldout"]
    # Even a slice learns something real: clearly better than chance on every task.
    assert metrics["sentences"]["bias"]["roc_auc"] > 0.65
    assert metrics["sentences"]["opinion"]["roc_auc"] > 0.65
    assert metrics["terms"]["babe"]["f1"] > 0.1
    assert (directory / "model.pkl.xz").stat().st_size < 50 * 2**20
