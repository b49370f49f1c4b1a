import csv
import json

import pytest

from classifier.datasets import (
    LabelledSentence,
    RowProblem,
    evaluation_sets,
    is_heldout,
    load_babe,
    load_basil,
    load_checkthat,
    load_corpora,
    load_extra,
    load_generic,
    load_lexicons,
    load_ptc,
    prepare_splits,
    read_generic,
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
        ('["a list"]', "not a JSON object"),
        ('{"text": 5, "label": 1}', "text must be a string, not int"),
        ('{"text": "x", "label": 0.5}', "label must be 0 or 1"),
        ('{"text": "x", "label": "yes"}', "label must be 0 or 1"),
        ('{"text": "x\\ud800", "label": 1}', "not UTF-8 text"),
        ('{"text": "x", "group": "\\udce9", "label": 1}', "not UTF-8 text"),
        ('{"text": "abc", "label": 1, "spans": [[0, 9]]}', "a span falls outside the text"),
        ('{"text": "abc", "label": 1, "spans": [[0]]}', "spans must be a list of"),
        ('{"text": "abc", "label": 1, "spans": "[[0, 1"}', "spans must be a list of"),
    ],
)
def test_generic_errors_name_the_line(tmp_path, line, message):
    path = tmp_path / "bad.jsonl"
    path.write_text(line + "\n")
    with pytest.raises(DataError, match=f"bad.jsonl:1: {message}"):
        load_generic(path)


@pytest.mark.parametrize("label, expected", [("1", 1), (1.0, 1), (" 0 ", 0), (True, 1),
                                             (None, None), ("", None)])
def test_generic_label_spellings(tmp_path, label, expected):
    path = tmp_path / "set.jsonl"
    path.write_text(json.dumps({"text": "A shameful move.", "label": label}) + "\n")
    assert load_generic(path, task="opinion")[0].opinion == expected


def test_read_generic_keeps_the_good_rows_and_lists_the_bad(tmp_path):
    path = tmp_path / "mixed.jsonl"
    path.write_bytes(b"\n".join([
        json.dumps({"text": "A shameful move.", "label": 1}).encode(),
        b'{"text": "x", "label": 7}',
        b"",  # blank lines are not rows
        b"{oops",
        '{"text": "Caf\xe9 owners met.", "label": 0}'.encode("latin-1"),
        json.dumps({"text": "The board met.", "label": 0}).encode(),
    ]) + b"\n")
    records, problems = read_generic(path)
    assert [r.text for r in records] == ["A shameful move.", "The board met."]
    assert [r.group for r in records] == ["row1", "row6"]
    assert [(p.line, p.message.split(" (")[0]) for p in problems] == [
        (2, "label must be 0 or 1"), (4, "malformed JSON"), (5, "not UTF-8 text")]
    with pytest.raises(DataError, match=r"mixed.jsonl:2: label must be 0 or 1\n.*mixed.jsonl:4: "):
        load_generic(path)


def test_read_generic_csv_fails_only_the_undecodable_row(tmp_path):
    path = tmp_path / "set.csv"
    path.write_bytes(b'text,label,group\n"Wild claims, again.",1,a\nJos\xe9 spoke,0,b\n'
                     b"The board met.,0,c\n")
    records, problems = read_generic(path)
    assert [r.group for r in records] == ["a", "c"] and records[0].text == "Wild claims, again."
    assert problems[0].line == 3 and problems[0].message == "not UTF-8 text"


def test_generic_files_saved_with_a_byte_order_mark(tmp_path):
    # Spreadsheets' "CSV UTF-8" starts with a BOM; it is not part of the header or JSON.
    csv_path = tmp_path / "set.csv"
    csv_path.write_text("text,label\nA shameful move.,1\n", encoding="utf-8-sig")
    jsonl = tmp_path / "set.jsonl"
    jsonl.write_text(json.dumps({"text": "A shameful move.", "label": 1}) + "\n",
                     encoding="utf-8-sig")
    for path in (csv_path, jsonl):
        assert [(r.text, r.bias) for r in load_generic(path)] == [("A shameful move.", 1)]


def test_generic_csv_reports_a_multi_line_row_at_its_first_line(tmp_path):
    path = tmp_path / "set.csv"
    path.write_text('text,label\n"A long,\nquoted cell.",7\n\nThe board met.,0\n')
    records, problems = read_generic(path)
    assert problems == [RowProblem(2, "label must be 0 or 1")]
    assert [(r.text, r.group) for r in records] == [("The board met.", "row5")]


@pytest.fixture
def csv_default_field_limit():
    """The csv module's default field limit, as in a fresh process (it is process-wide)."""
    before = csv.field_size_limit(131_072)
    yield
    csv.field_size_limit(before)


def test_generic_csv_reads_cells_over_the_csv_module_default_limit(tmp_path,
                                                                     csv_default_field_limit):
    path = tmp_path / "set.csv"
    long_text = "word " * 30_000  # 150,000 characters; the csv default stops at 131,072
    path.write_text(f'text,label\n"{long_text}",1\nThe board met.,7\n')
    records, problems = read_generic(path)
    assert len(records[0].text) == len(long_text.strip())
    assert problems == [RowProblem(3, "label must be 0 or 1")]


def test_generic_csv_without_text_column(tmp_path):
    path = tmp_path / "set.csv"
    path.write_text("sentence,label\nA shameful move.,1\n")
    with pytest.raises(DataError, match="no `text` column"):
        read_generic(path)


def test_generic_error_counts_the_rows_it_does_not_list(tmp_path):
    path = tmp_path / "bad.jsonl"
    path.write_text('{"text": "x", "label": 9}\n' * 8)
    with pytest.raises(DataError) as info:
        load_generic(path)
    assert str(info.value).splitlines()[-1] == "... and 3 more bad rows"
    assert "bad.jsonl:5:" in str(info.value) and "bad.jsonl:6:" not in str(info.value)


@pytest.mark.parametrize(
    "corpus_file, content, message",
    [
        ("babe/babe_sg2_train.csv", b"text;label_bias\nCaf\xe9;Biased\n", "not UTF-8 text"),
        ("babe/babe_sg2_train.csv", b"text;label_bias\nA shameful move.;Biased\n",
         "missing column or field 'news_link'"),
        ("ptc/train-task-flc-tc.labels", b"1000\tLoaded_Language\tten\t20\n", "malformed"),
        ("checkthat-subj-en/train_en.tsv", b"sentence\tlabel\nWild claims.\tSUBJ\n",
         "missing column or field 'sentence_id'"),
    ],
)
def test_malformed_corpus_files_are_data_errors_naming_the_file(
        tiny_data_dir, tmp_path, corpus_file, content, message):
    import shutil

    data = tmp_path / "data"
    shutil.copytree(tiny_data_dir, data)
    (data / corpus_file).write_bytes(content)
    with pytest.raises(DataError, match=message) as info:
        load_corpora(data)
    assert corpus_file.split("/")[-1] in str(info.value)


@pytest.mark.parametrize("which, content", [("articles", "{not json"),
                                            ("articles", '{"body-paragraphs": [[1]]}'),
                                            ("annotations", '{"phrase-level-annotations": 3}')])
def test_malformed_basil_files_are_data_errors_naming_the_file(tiny_data_dir, tmp_path,
                                                                which, content):
    import shutil

    data = tmp_path / "data"
    shutil.copytree(tiny_data_dir, data)
    target = sorted((data / "basil" / which).glob("*/*.json"))[0]
    target.write_text(content)
    with pytest.raises(DataError, match="malformed") as info:
        load_basil(data)
    assert target.name in str(info.value)


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


def test_extra_files_need_distinct_names(tmp_path):
    row = json.dumps({"text": "A shameful move.", "label": 1}) + "\n"
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    for path in (tmp_path / "a" / "mine.jsonl", tmp_path / "b" / "mine.jsonl",
                 tmp_path / "babe.jsonl"):
        path.write_text(row)
    assert len(load_extra([("bias", tmp_path / "a" / "mine.jsonl")])) == 1
    with pytest.raises(DataError, match="distinct names; 'mine' is also .*a/mine.jsonl"):
        load_extra([("bias", tmp_path / "a" / "mine.jsonl"),
                    ("opinion", tmp_path / "b" / "mine.jsonl")])
    with pytest.raises(DataError, match="'babe' is also a corpus"):
        load_extra([("bias", tmp_path / "babe.jsonl")])


def test_extra_files_are_split_and_evaluated_on_their_own(tiny_data_dir, tmp_path):
    import csv

    path = tmp_path / "mine.csv"
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["text", "label", "group", "spans"])
        for i in range(50):
            text = f"Sentence {i} is shameful."
            start = text.index("shameful")
            writer.writerow([text, 1, f"g{i}", json.dumps([[start, start + 8]])])
    train_of, test_of = prepare_splits(tiny_data_dir, extra=[("opinion", path)])
    assert len(train_of["extra"]) + len(test_of["extra"]) == 50 and test_of["extra"]
    assert all(is_heldout("mine", r.group) for r in test_of["extra"])
    sentence_sets, term_sets = evaluation_sets(test_of)
    assert sentence_sets["opinion:mine"] == test_of["extra"] and "bias:mine" not in sentence_sets
    assert term_sets["mine"] == test_of["extra"]
    assert "extra" not in prepare_splits(tiny_data_dir)[0]
