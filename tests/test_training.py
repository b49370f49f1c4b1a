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


def test_artifact_bytes_depend_on_the_model_only(tiny_data_dir, tiny_model_dir, tmp_path):
    # Each Python process salts str hashes differently, and sets iterate in hash order:
    # nothing iterated from a set may reach the pickle. A process that unpickled a model
    # before training holds other copies of attribute names, which the C pickler would
    # write out again (classifier.model._CanonicalPickler).
    import os
    import subprocess
    import sys

    train = ("from classifier.training import TrainingConfig, train_and_save; "
             "train_and_save(Path(sys.argv[1]), Path(sys.argv[2]), "
             "TrainingConfig(char_ngrams=False, calibration_folds=3))")
    load_first = ("from classifier import analyze, load_model; "
                  "analyze('A barbaric, shameful decision.', model=load_model(Path(sys.argv[3])))")
    for seed, before in (("1", ""), ("2", load_first + "; ")):
        script = f"import sys; from pathlib import Path; {before}{train}"
        subprocess.run([sys.executable, "-c", script, str(tiny_data_dir), str(tmp_path / seed),
                        str(tiny_model_dir)],
                       check=True, cwd=ROOT, env={**os.environ, "PYTHONHASHSEED": seed},
                       capture_output=True)
    hashes = {read_metadata(path)["artifact"]["sha256"]
              for path in (tiny_model_dir, tmp_path / "1", tmp_path / "2")}
    assert len(hashes) == 1


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


def test_nb_logistic_regression_folds_scaling_into_coef():
    import numpy as np
    import scipy.sparse as sp

    from classifier.nblr import NBLogisticRegression, log_count_ratio

    rng = np.random.default_rng(0)
    X = sp.csr_matrix((rng.random((80, 6)) < 0.4).astype(float))
    y = (X[:, 0].toarray().ravel() + rng.random(80) * 0.5 > 0.7).astype(int)
    ratio = log_count_ratio(X, y)
    assert ratio[0] > 0 and ratio.shape == (6,)
    model = NBLogisticRegression(C=1.0, random_state=0).fit(X, y)
    np.testing.assert_allclose(model.decision_function(X), X @ model.coef_.ravel()
                               + model.intercept_[0])
    assert model.predict_proba(X).shape == (80, 2)
    assert set(model.predict(X)) <= {0, 1}
    assert model.coef_[0, 0] == max(model.coef_[0])


def test_cross_validate_and_search_use_the_training_part_only(tiny_data_dir):
    from classifier.datasets import load_lexicons, prepare_splits
    from classifier.training import SEARCH_GRID, cross_validate, search_C

    config = TrainingConfig(char_ngrams=False, calibration_folds=2)
    result = cross_validate(tiny_data_dir, config, n_splits=2)
    assert result["folds"] == 2 and len(result["per_fold"]) == 2
    assert 0 <= result["mean"]["sentences"]["bias"]["macro_f1"] <= 1
    bias = [fold["sentences"]["bias"] for fold in result["per_fold"]]
    assert result["mean"]["sentences"]["bias"]["ece_if_calibrated"] == pytest.approx(
        sum(m["ece_if_calibrated"] for m in bias) / 2, abs=1e-4)
    train_of, _ = prepare_splits(tiny_data_dir)
    search = search_C(train_of, load_lexicons(tiny_data_dir), config, n_splits=2)
    assert search["C_loaded"] in SEARCH_GRID["C_loaded"]
    assert search["C_stance"] in SEARCH_GRID["C_stance"]


def test_default_recipe_learns_span_and_technique_rates(tiny_model):
    tagger = tiny_model.tagger
    assert tagger.span_rates and tagger.technique_rates
    assert tagger.span_rates_ and tagger.technique_rates_
    assert not hasattr(tiny_model, "term_features")


def test_out_of_fold_head_probabilities_are_the_ones_its_sigmoid_was_fitted_on(tiny_data_dir):
    import numpy as np
    from sklearn.calibration import _sigmoid_calibration

    from classifier.datasets import load_lexicons, prepare_splits
    from classifier.features import build_sentence_features
    from classifier.training import (
        _calibrated_head,
        _group_folds,
        _labelled,
        _out_of_fold_probabilities,
    )

    config = TrainingConfig(char_ngrams=False, calibration_folds=3)
    train_of, _ = prepare_splits(tiny_data_dir)
    features = build_sentence_features({k: set(v) for k, v in
                                        load_lexicons(tiny_data_dir).items()}, char_ngrams=False)
    records, y = _labelled(train_of["babe"], "bias")
    matrix = features.fit_transform([r.text for r in records])
    folds = _group_folds(records, config["calibration_folds"])
    head = _calibrated_head(2.0, config, folds).fit(matrix, y)
    probabilities = _out_of_fold_probabilities(head, matrix, y, folds)
    # Refitting the sigmoid on the implied decisions gives back the head's calibrator.
    calibrator = head.calibrated_classifiers_[0].calibrators[0]
    decisions = (np.log1p(-probabilities) - np.log(probabilities) - calibrator.b_) / calibrator.a_
    a, b = _sigmoid_calibration(decisions, y)
    assert (a, b) == pytest.approx((calibrator.a_, calibrator.b_), rel=1e-4, abs=1e-6)
    # ...and they are not the in-sample probabilities.
    assert not np.allclose(probabilities, head.predict_proba(matrix)[:, 1])


def test_no_stack_when_no_head_asks_for_one(tiny_data_dir, tmp_path):
    model, _ = train_and_save(tiny_data_dir, tmp_path / "plain",
                              TrainingConfig(char_ngrams=False, calibration_folds=3,
                                             stack_heads=[]))
    assert model.stacks == {}
    texts = ["The council made a shameful decision."]
    assert model.score_sentences(texts)["loaded"] == pytest.approx(
        model.heads["loaded"].predict_proba(model.sentence_matrix(texts))[:, 1])


def _venomous_file(path: Path, groups: int = 40) -> Path:
    """A generic bias file whose loaded sentences use a word the tiny corpora never do."""
    rows = []
    for group in range(groups):
        text = f"Council member {group} made a venomous attack on the plan."
        start = text.index("venomous")
        rows.append({"text": text, "label": 1, "spans": [[start, start + 8]],
                     "group": f"g{group}"})
        rows.append({"text": f"Council member {group} voted on the plan.", "label": 0,
                     "spans": [], "group": f"g{group}"})
    path.write_text("".join(json.dumps(row) + "\n" for row in rows))
    return path


def test_training_with_an_extra_generic_file(tiny_data_dir, tiny_model, tmp_path):
    from classifier.evaluation import evaluate_on
    from classifier.model import load_model

    extra = _venomous_file(tmp_path / "venom.jsonl")
    config = TrainingConfig(char_ngrams=False, calibration_folds=3,
                            extra=[["bias", str(extra)]])
    model, directory = train_and_save(tiny_data_dir, tmp_path / "m", config, report=True)
    data = read_metadata(directory)["training_data"]
    (item,) = data["extra"]
    assert item["task"] == "bias" and item["path"] == str(extra)
    assert item["sentences"]["train"] + item["sentences"]["heldout"] == 80
    assert item["sentences"]["heldout"] > 0 and data["sentences"]["extra"] == item["sentences"]
    # The tagger learned the word from the extra file alone; the tiny model never saw it.
    sentence = "The mayor made a venomous attack on the plan."
    assert model.tagger.token_probabilities([sentence])[2][4] > 0.5
    assert tiny_model.tagger.token_probabilities([sentence])[2][4] < 0.5
    # Its held-out part is scored on its own, and `slant eval DIR` reproduces the figures.
    heldout = model.metadata["metrics"]["heldout"]
    assert heldout["sentences"]["bias:venom"]["n"] == item["sentences"]["heldout"]
    assert heldout["terms"]["venom"]["tokens"] > 0
    again = evaluate_on(load_model(directory), tiny_data_dir)
    assert again["sentences"] == heldout["sentences"] and again["terms"] == heldout["terms"]
    assert (directory / "report" / "bias-venom.png").exists()
    assert "extra `" in (directory / "MODEL_CARD.md").read_text()


def test_cv_mean_keeps_a_set_missing_from_the_first_fold():
    from classifier.training import _mean_metrics

    def fold(**terms):
        return {"sentences": {}, "terms": {name: {"tokens": n, "f1": f1}
                                           for name, (n, f1) in terms.items()}}

    mean = _mean_metrics([fold(ptc=(10, 0.2)), fold(ptc=(20, 0.4), mine=(5, 0.5))])
    assert mean["terms"] == {"ptc": {"tokens": 30, "f1": 0.3}, "mine": {"tokens": 5, "f1": 0.5}}
