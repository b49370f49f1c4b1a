"""Behaviour of the committed default model on the project's own seed articles."""

import json

import pytest

from classifier import Analyzer
from classifier.model import ARTIFACT_NAME, CARD_NAME, default_model_path, read_metadata
from classifier.training import write_model_card

from .conftest import SEEDS

SENSATIONAL_LOADED = ["bungling", "outrageous", "disastrous", "rotten", "wreaked havoc",
                      "miserable", "barbaric", "arrogance", "fiasco", "shameful", "spineless",
                      "reckless", "heroic", "huge success", "stunning", "scandal", "nuisance"]
QUOTED_LOADED = ["disgrace", "catastrophe", "reckless", "cowardly", "furious", "huge success"]


@pytest.fixture(scope="module")
def analyzer(default_model):
    return Analyzer(default_model)


@pytest.fixture(scope="module")
def seeds(analyzer):
    return {path.stem: analyzer.analyze(path.read_text(encoding="utf-8"))
            for path in sorted(SEEDS.glob("*.txt"))}


def test_artifact_is_lean_and_described():
    directory = default_model_path()
    assert (directory / ARTIFACT_NAME).stat().st_size < 20 * 2**20
    meta = read_metadata(directory)
    assert {"scikit-learn", "numpy", "python"} <= set(meta["versions"])
    assert set(meta["training_data"]["sha256"]) >= {"babe", "ptc", "basil", "checkthat-subj-en"}
    assert meta["artifact"]["sha256"]


def test_model_card_is_the_rendering_of_the_metadata(tmp_path):
    directory = default_model_path()
    write_model_card(read_metadata(directory), tmp_path / CARD_NAME)
    assert (tmp_path / CARD_NAME).read_text() == (directory / CARD_NAME).read_text()


def test_heldout_scores_beat_the_tfidf_baseline():
    metrics = read_metadata(default_model_path())["metrics"]["heldout"]
    for task in ("bias", "opinion", "subjectivity"):
        ours = metrics["sentences"][task]["macro_f1"]
        assert ours >= metrics["baseline_tfidf_lr_macro_f1"][task], task


def test_wire_report_is_lowest_on_loaded_and_stance(seeds):
    wire = seeds["wire_report"].article
    for other in ("op_ed", "sensational"):
        assert wire.loaded < seeds[other].article.loaded
        assert wire.stance < seeds[other].article.stance
    assert seeds["sensational"].article.loaded > seeds["op_ed"].article.loaded


def _terms(result, quoted=None):
    return [t.text.lower() for s in result.sentences for t in s.terms
            if quoted is None or t.quoted == quoted]


def test_sensational_loaded_words_are_flagged(seeds):
    found = " | ".join(_terms(seeds["sensational"]))
    hits = [w for w in SENSATIONAL_LOADED if w in found]
    assert len(hits) >= 8, f"only {hits} among {found}"
    assert "wreaked havoc" in _terms(seeds["sensational"])
    assert "barbaric" in found


def test_wire_report_has_few_terms(seeds):
    assert len(_terms(seeds["wire_report"])) <= 2


def test_quoted_loaded_words_are_marked_quoted(seeds):
    result = seeds["quoted_voices"]
    quoted = " | ".join(_terms(result, quoted=True))
    assert sum(w in quoted for w in QUOTED_LOADED) >= 3, quoted
    assert result.article.quoted_sentences >= 5
    assert result.article.quoted_loaded > result.article.loaded


def test_seed_results_are_valid_json(seeds):
    for result in seeds.values():
        assert json.loads(json.dumps(result.to_dict()))["sentences"]
        assert result.warnings == []


@pytest.mark.parametrize("sentence, expected", [
    ("Officials condemned the barbaric invasion.", ["barbaric"]),
    ("The storm wreaked havoc on the coast.", ["wreaked havoc"]),
    ("The campaign scored a huge success.", ["huge success"]),
    ("It was a huge mistake.", ["huge mistake"]),
    ("It was a great deal for the city.", []),  # "great" is no intensifier: news uses it
])
def test_example_sentences_yield_exactly_their_loaded_terms(analyzer, sentence, expected):
    assert _terms(analyzer.analyze(sentence)) == expected
