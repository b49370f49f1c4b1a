import copy
import json
import pickle
import shutil

import numpy as np
import pytest

from classifier import load_model
from classifier.errors import ModelIntegrityError, ModelNotFoundError, ModelVersionError
from classifier.model import (
    ARTIFACT_NAME,
    CARD_NAME,
    METADATA_NAME,
    _linear_weights,
    default_model_path,
    list_models,
    read_metadata,
)
from classifier.stacking import WordEvidenceStack
from classifier.tokens import TokenizedTexts


@pytest.fixture
def model_copy(tiny_model_dir, tmp_path):
    target = tmp_path / "copy"
    shutil.copytree(tiny_model_dir, target)
    return target


def test_saved_model_has_artifact_metadata_and_card(tiny_model_dir):
    assert {p.name for p in tiny_model_dir.iterdir()} >= {ARTIFACT_NAME, METADATA_NAME, CARD_NAME}
    meta = read_metadata(tiny_model_dir)
    assert set(meta["versions"]) >= {"scikit-learn", "numpy", "python"}
    assert len(meta["artifact"]["sha256"]) == 64
    assert meta["artifact"]["bytes"] == (tiny_model_dir / ARTIFACT_NAME).stat().st_size


def test_load_accepts_the_directory_or_a_file_in_it(tiny_model_dir):
    for path in (tiny_model_dir, tiny_model_dir / ARTIFACT_NAME, tiny_model_dir / METADATA_NAME):
        assert load_model(path).info["name"] == "slant-default"


def test_missing_model(tmp_path):
    with pytest.raises(ModelNotFoundError, match="no model"):
        load_model(tmp_path)


def test_tampered_artifact_is_refused(model_copy):
    artifact = model_copy / ARTIFACT_NAME
    data = bytearray(artifact.read_bytes())
    data[len(data) // 2] ^= 0xFF
    artifact.write_bytes(bytes(data))
    with pytest.raises(ModelIntegrityError, match="does not match"):
        load_model(model_copy)


def test_truncated_artifact_is_refused(model_copy):
    artifact = model_copy / ARTIFACT_NAME
    artifact.write_bytes(artifact.read_bytes()[:1000])
    with pytest.raises(ModelIntegrityError):
        load_model(model_copy)


def test_garbage_with_matching_hash_is_refused(model_copy):
    """Even a hash-valid file must hold a Slant model."""
    import hashlib

    artifact = model_copy / ARTIFACT_NAME
    artifact.write_bytes(b"not a model")
    meta = json.loads((model_copy / METADATA_NAME).read_text())
    meta["artifact"]["sha256"] = hashlib.sha256(b"not a model").hexdigest()
    (model_copy / METADATA_NAME).write_text(json.dumps(meta))
    with pytest.raises(ModelIntegrityError, match="cannot load"):
        load_model(model_copy)


def test_other_scikit_learn_version_is_refused(model_copy):
    meta = json.loads((model_copy / METADATA_NAME).read_text())
    meta["versions"]["scikit-learn"] = "0.24.2"
    (model_copy / METADATA_NAME).write_text(json.dumps(meta))
    with pytest.raises(ModelVersionError, match="0.24.2"):
        load_model(model_copy)


def test_missing_or_broken_metadata(model_copy):
    (model_copy / METADATA_NAME).write_text("{broken")
    with pytest.raises(ModelIntegrityError, match="unreadable"):
        load_model(model_copy)
    (model_copy / METADATA_NAME).unlink()
    with pytest.raises(ModelIntegrityError, match="no metadata.json"):
        load_model(model_copy)


def test_default_model_path_honours_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("SLANT_MODEL", str(tmp_path))
    assert default_model_path() == tmp_path
    monkeypatch.delenv("SLANT_MODEL")
    assert default_model_path().name == "default"


def test_list_models(tiny_model_dir):
    found = list_models(tiny_model_dir.parent)
    assert [m["name"] for m in found] == ["slant-default"]


def test_sentence_matrix_equals_the_feature_union(tiny_model):
    texts = ["The council made a shameful decision.", "", "Another sentence here."]
    fast = tiny_model.sentence_matrix(texts)
    assert (fast != tiny_model.features.transform(texts)).nnz == 0


@pytest.mark.parametrize("which", ["tiny", "default"])
def test_scores_equal_the_heads_predict_proba(which, tiny_model):
    # score_sentences works block by block without assembling the matrix; the numbers
    # must be scikit-learn's own.
    model = tiny_model if which == "tiny" else load_model()
    texts = ["The council made a shameful decision.", "", "Another sentence here.",
             "Officials condemned the barbaric invasion on Tuesday."]
    matrix = model.features.transform(texts)
    fast = model.score_sentences(texts)
    given_matrix = model.score_sentences(texts, matrix)
    # As the analyzer calls it: the tagger's words, lower-cased, with their ids.
    scored = model.tagger.score_words(texts)
    with_ids = model.score_sentences(TokenizedTexts.from_words(
        texts, scored.words, scored.lowered, scored.word_ids))
    stacks = model.stacks
    for head, estimator in model.heads.items():
        expected = estimator.predict_proba(matrix)[:, 1]
        if head in stacks:
            expected = stacks[head].predict_proba(
                np.column_stack([expected, model.sentence_peaks(texts)]))[:, 1]
        assert fast[head] == pytest.approx(expected, abs=1e-6)
        assert given_matrix[head] == pytest.approx(expected, abs=1e-6)
        assert with_ids[head].tolist() == fast[head].tolist()


def test_the_saved_model_stacks_the_strongest_word_on_both_heads(tiny_model):
    # The default recipe (config "stack_heads") stacks both heads.
    assert sorted(tiny_model.stacks) == ["loaded", "stance"]
    for stack in tiny_model.stacks.values():
        assert isinstance(stack, WordEvidenceStack) and stack.coef_[0] > 0


def test_a_model_saved_before_stacks_loads_without_any(tiny_model):
    state = dict(tiny_model.__getstate__())
    del state["stacks"]
    old = pickle.loads(pickle.dumps(tiny_model))
    old.__dict__.clear()
    old.__setstate__(state)
    assert old.stacks == {}
    texts = ["The council made a shameful decision."]
    assert old.score_sentences(texts)["loaded"] == pytest.approx(
        tiny_model.heads["loaded"].predict_proba(tiny_model.sentence_matrix(texts))[:, 1])


def test_stacked_head_uses_the_strongest_word(tiny_model):
    model = copy.copy(tiny_model)
    model.stacks = {"loaded": tiny_model.stacks["loaded"]}
    texts = ["The council made a shameful decision.", "Another sentence here.", ""]
    computed = model.score_sentences(texts)
    peaks = model.sentence_peaks(texts)
    given = model.score_sentences(texts, peaks=peaks)
    assert given["loaded"] == pytest.approx(computed["loaded"])
    coef = model.stacks["loaded"].coef_[1]
    stronger = model.score_sentences(texts, peaks=np.minimum(peaks + 0.3, 1.0))
    assert np.all(np.sign(stronger["loaded"] - computed["loaded"]) == np.sign(coef))
    # An unstacked head ignores the tagger.
    assert stronger["stance"] == pytest.approx(computed["stance"])


def test_scoring_caches_are_not_pickled(tiny_model):
    tiny_model.score_sentences(["Warm the caches."])
    tiny_model.feature_names()
    state = pickle.loads(pickle.dumps(tiny_model)).__dict__
    assert not [name for name in state if name.startswith("_")]


def test_a_model_pickles_the_same_after_analysing(tiny_model):
    # Every cache the analyzer fills (word ids shared between the tagger and the blocks,
    # character n-grams of words, polarities, lookup tables) stays out of the pickle.
    from classifier import Analyzer

    model = pickle.loads(pickle.dumps(tiny_model))
    before = pickle.dumps(model)
    Analyzer(model).analyze("The council made a shameful decision. “It is a disgrace,” she "
                            "said. Prices rose.", title="A shameful day", explain=True)
    assert pickle.dumps(model) == before


def test_explain_lists_features_by_contribution(tiny_model):
    model = copy.copy(tiny_model)
    model.stacks = {}
    matrix = model.sentence_matrix(["The council made a shameful decision."])
    (top,) = model.explain(matrix, "stance", top=3)
    assert 1 <= len(top) <= 3
    weights = [abs(f["weight"]) for f in top]
    assert weights == sorted(weights, reverse=True)
    # "shameful" is in the tiny npov and negative lexicons: those features push hardest.
    assert top[0]["feature"].startswith("lexicons__") and top[0]["weight"] > 0


def test_explain_of_a_stacked_head_includes_the_strongest_word(tiny_model):
    matrix = tiny_model.sentence_matrix(["The council made a shameful decision.", "Yes."])
    with pytest.raises(ValueError, match="strongest"):
        tiny_model.explain(matrix, "loaded")
    stack = tiny_model.stacks["loaded"]
    top, _ = tiny_model.explain(matrix, "loaded", top=50,
                                strongest=[("Shameful", 0.95), ("", 0.0)])
    word = [f for f in top if f["feature"] == "terms__shameful"]
    assert word and word[0]["weight"] == pytest.approx(
        float(stack.peak_contribution(np.array([0.95]))[0]), abs=1e-4)
    # The head's own features are scaled by the stack's weight on the head.
    unstacked = matrix[0].multiply(_linear_weights(tiny_model.heads["loaded"])).toarray().ravel()
    largest = max(abs(f["weight"]) for f in top if not f["feature"].startswith("terms__"))
    assert largest == pytest.approx(np.abs(unstacked).max() * stack.coef_[0], abs=1e-4)
