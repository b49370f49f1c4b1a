import json

import pytest

from classifier.datasets import (
    LabelledSentence,
    evaluation_sets,
    is_heldout,
    load_babe,
    load_basil,
    load_checkthat,
    load_corpora,
    load_generic,
    load_lexicons,
    load_ptc,
    prepare_splits,
    split_heldout,
)
from classifier.errors import DataError


def test_babe_labels_and_word_spans(tiny_data_dir):
    records = load_babe(tiny_data_dir)
    assert records and all(r.source == "babe" for r in records)
    biased = [r for r in records if r.bias == 1]
    assert biased and all(r.opinion == 1 for r in biased)
    for record in biased:
        words = [record.text[s:e] for s, e in record.spans]
        assert len(words) == 1 and words[0] in record.text


def test_ptc_spans_are_relative_to_each_line(tiny_data_dir):
    records = load_ptc(tiny_data_dir)
    spanned = [r for r in records if r.spans]
    assert spanned
    from tests.corpora_fixtures import LOADED_WORDS

    for record in spanned:
        assert all(record.text[s:e] in LOADED_WORDS for s, e in record.spans)
        # Every technique's spans, Loaded_Language included, are kept as weak labels.
        assert set(record.spans) < set(record.technique_spans)
        assert "everyone" in [record.text[s:e] for s, e in record.technique_spans]
    assert all(r.technique_spans == () for r in records if not r.spans)


def test_basil_lexical_spans_and_polarity(tiny_data_dir):
    records = load_basil(tiny_data_dir)
    spanned = [r for r in records if r.spans]
    assert spanned and all(len(r.polarities) == len(r.spans) for r in spanned)
    assert {r.group for r in records} == {f"event-{i:04d}" for i in range(10)}


def test_checkthat_labels(tiny_data_dir):
    train = load_checkthat(tiny_data_dir, "train")
    assert {r.subjective for r in train} == {0, 1}
    assert all(r.source == "checkthat-train" for r in train)


def test_lexicons_skip_missing_files(tiny_data_dir):
    lexicons = load_lexicons(tiny_data_dir)
    assert lexicons["positive"]["heroic"] == "positive"
    assert "mpqa_strong" not in lexicons


def test_missing_folder_is_a_data_error(tmp_path):
    with pytest.raises(DataError, match="not found"):
        load_corpora(tmp_path / "nope")
    with pytest.raises(DataError, match="missing"):
        load_babe(tmp_path)


def test_heldout_split_is_by_group_and_stable(tiny_data_dir):
    records = load_babe(tiny_data_dir)
    train, heldout = split_heldout(records)
    assert train and heldout
    assert not {r.group for r in train} & {r.group for r in heldout}
    assert split_heldout(list(reversed(records)))[1] == list(reversed(heldout))
    assert is_heldout("babe", "x") == is_heldout("babe", "x")


def test_prepare_splits_pools_checkthat(tiny_data_dir):
    train_of, test_of = prepare_splits(tiny_data_dir)
    assert set(train_of) == {"babe", "ptc", "basil", "checkthat"}
    sources = {r.source for r in train_of["checkthat"] + test_of["checkthat"]}
    assert sources == {"checkthat-train", "checkthat-dev"}
    sentence_sets, term_sets = evaluation_sets(test_of)
    assert set(sentence_sets) == {"bias", "opinion", "subjectivity"}
    assert set(term_sets) == {"ptc", "babe", "basil"}


def test_prepare_splits_max_sentences_keeps_whole_articles(tiny_data_dir):
    train_of, test_of = prepare_splits(tiny_data_dir, max_sentences=20)
    babe = train_of["babe"] + test_of["babe"]
    assert 20 <= len(babe) < 24  # whole articles of four sentences


def test_generic_jsonl_and_csv(tmp_path):
    jsonl = tmp_path / "set.jsonl"
    jsonl.write_text(
        json.dumps({"text": "A shameful move.", "label": 1, "spans": [[2, 10]]}) + "\n"
        + json.dumps({"text": "The board met.", "label": 0, "group": "g"}) + "\n"
    )
    records = load_generic(jsonl, task="opinion")
    assert records[0] == LabelledSentence("A shameful move.", "row1", "set", opinion=1,
                                          spans=((2, 10),))
    assert records[1].group == "g" and records[1].spans is None
    csv_path = tmp_path / "set.csv"
    csv_path.write_text('text,label,spans\n"A shameful move.",1,"[[2, 10]]"\n')
    assert load_generic(csv_path)[0].bias == 1


@pytest.mark.parametrize(
    "line, message",
    [
        ('{"text": "x", "label": 2}', "label must be 0 or 1"),
        ('{"label": 1}', "missing text"),
        ("{not json", "malformed JSON"),
        ('{"text": "abc", "label": 1, "spans": [[0, 9]]}', "a span falls outside the text"),
    ],
)
def test_generic_errors_name_the_line(tmp_path, line, message):
    path = tmp_path / "bad.jsonl"
    path.write_text(line + "\n")
    with pytest.raises(DataError, match=f"bad.jsonl:1: {message}"):
        load_generic(path)


def test_generic_unknown_task(tmp_path):
    with pytest.raises(DataError, match="unknown task"):
        load_generic(tmp_path / "x.csv", task="sarcasm")


@pytest.mark.corpora
def test_real_corpora_load(shared_data):
    corpora = load_corpora(shared_data)
    assert len(corpora["babe"]) > 2000
    loaded = [r for r in corpora["ptc"] if r.spans]
    assert len(loaded) > 1000
    # PTC offsets line up: spans start and end on word characters.
    assert all(r.text[s].strip() and r.text[e - 1].strip() for r in loaded for s, e in r.spans)
