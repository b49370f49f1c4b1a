"""Reading corpora and flattening records (no model needed)."""

from __future__ import annotations

import csv
import json

import pytest

from classifier.batch_io import (
    BatchError,
    ColumnRegistry,
    InputSpec,
    flatten_record,
    input_format_for,
    iter_documents,
    output_format_for,
)

from .batch_helpers import write_jsonl


def docs(path, **kwargs):
    return list(iter_documents(InputSpec.create(path, **kwargs)))


@pytest.mark.parametrize("name, expected", [
    ("a.jsonl", "jsonl"), ("a.ndjson", "jsonl"), ("a.CSV", "csv"), ("a.tsv", "tsv"),
    ("a.parquet", "parquet"), ("a.txt", "txt"), ("-", "jsonl"),
])
def test_input_format_from_extension(name, expected):
    assert input_format_for(name) == expected


def test_unknown_input_extension_is_an_error():
    with pytest.raises(BatchError, match="--input-format"):
        input_format_for("corpus.xml")


@pytest.mark.parametrize("name, given, expected", [
    ("o.jsonl", None, "jsonl"), ("o.csv", None, "csv"), ("o.parquet", None, "parquet"),
    ("o.out", "csv", "csv"), ("o.jsonl", "parquet", "parquet"),
])
def test_output_format(name, given, expected):
    assert output_format_for(name, given) == expected


def test_unknown_output_extension_is_an_error():
    with pytest.raises(BatchError, match="--format"):
        output_format_for("scored.xlsx")


def test_missing_input_is_an_error(tmp_path):
    with pytest.raises(BatchError, match="no such file"):
        InputSpec.create(tmp_path / "nope.jsonl")


def test_jsonl_fields_ids_titles_and_line_numbers(tmp_path):
    path = write_jsonl(tmp_path / "c.jsonl", [
        {"id": "a", "text": "One.", "title": "Head", "source": "wire"},
        {"text": "Two.", "n": 7, "result": "x"},
        {"text": "Three.", "title": "  "},
    ], raw_lines={1: b"   "})
    found = docs(path)
    assert [d.n for d in found] == [0, 1, 2]
    assert [d.line for d in found] == [1, 3, 4]  # the blank line 2 is not a document
    assert [d.id for d in found] == ["a", 3, 4]
    assert found[0].title == "Head" and found[0].fields == {"title": "Head", "source": "wire"}
    assert found[1].fields == {"input_n": 7, "input_result": "x"}
    assert found[2].title is None
    assert all(d.error is None for d in found)


def test_jsonl_custom_columns(tmp_path):
    path = write_jsonl(tmp_path / "c.jsonl", [{"url": "u1", "body": "Text.", "head": "H"}])
    (doc,) = docs(path, text_column="body", id_column="url", title_column="head")
    assert (doc.id, doc.text, doc.title, doc.fields) == ("u1", "Text.", "H", {"head": "H"})


def test_jsonl_bad_records_keep_their_place(tmp_path):
    path = tmp_path / "bad.jsonl"
    path.write_bytes(b'{"text": "fine."}\n'
                     b'{"text": "broken\n'
                     b'[1, 2]\n'
                     b'{"id": "no-text"}\n'
                     b'{"text": null}\n'
                     b'{"text": "caf\xe9"}\n'
                     b'{"text": "last."}\n')
    found = docs(path)
    assert [d.n for d in found] == list(range(7))
    codes = [d.error and d.error["code"] for d in found]
    assert codes == [None, "malformed_json", "invalid_record", "missing_text", "missing_text",
                     "invalid_text", None]
    assert "line 2" in found[1].error["message"]
    assert "not UTF-8" in found[5].error["message"]
    assert found[3].id == "no-text"


def write_csv(path, rows, delimiter=","):
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f, delimiter=delimiter).writerows(rows)
    return path


def test_csv_columns_and_multiline_records(tmp_path):
    path = write_csv(tmp_path / "n.csv", [
        ["url", "body", "outlet"],
        ["u1", "First line.\nSecond line.", "A"],
        ["", "Two.", "B"],
        [],
        ["u3", "", "C"],
    ])
    found = docs(path, text_column="body", id_column="url")
    assert [d.id for d in found] == ["u1", 4, "u3"]
    assert [d.line for d in found] == [2, 4, 6]
    assert found[0].text == "First line.\nSecond line."
    assert found[0].fields == {"outlet": "A"}
    assert found[2].text == "" and found[2].error is None  # empty: the analyzer says so


def test_tsv(tmp_path):
    path = write_csv(tmp_path / "n.tsv", [["text", "id"], ["Hello there.", "x"]], "\t")
    (doc,) = docs(path)
    assert (doc.id, doc.text) == ("x", "Hello there.")


def test_csv_missing_column_is_fatal(tmp_path):
    path = write_csv(tmp_path / "n.csv", [["body"], ["x"]])
    with pytest.raises(BatchError, match="no column 'text'.*body"):
        docs(path)
    with pytest.raises(BatchError, match="--id-column"):
        docs(path, text_column="body", id_column="url")


def test_csv_long_text_is_a_record_not_a_fatal_error(tmp_path):
    long_text = "word " * 50_000  # over the csv module's default 131,072-character limit
    path = write_csv(tmp_path / "n.csv", [["text"], [long_text], ["Short."]])
    found = docs(path)
    assert [len(d.text) for d in found] == [len(long_text), 6]


def test_csv_undecodable_row(tmp_path):
    path = tmp_path / "n.csv"
    path.write_bytes(b"id,text\na,Fine text.\nb,caf\xe9 au lait\n")
    found = docs(path)
    assert found[0].error is None
    assert found[1].error["code"] == "invalid_text"
    assert "line 3" in found[1].error["message"]


def test_parquet(tmp_path):
    pa = pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    table = pa.table({"body": ["One.", None, "Three."], "url": ["a", "b", "c"],
                      "rank": [1, 2, 3]})
    pq.write_table(table, tmp_path / "c.parquet")
    found = docs(tmp_path / "c.parquet", text_column="body", id_column="url")
    assert [d.id for d in found] == ["a", "b", "c"]
    assert found[1].error["code"] == "missing_text"
    assert found[2].fields == {"rank": 3}
    with pytest.raises(BatchError, match="no column 'text'"):
        docs(tmp_path / "c.parquet")


def test_txt_file_and_folder(tmp_path):
    root = tmp_path / "articles"
    (root / "b" / "c").mkdir(parents=True)
    (root / "z.txt").write_text("Zed.", encoding="utf-8")
    (root / "b" / "a.txt").write_text("Ay.", encoding="utf-8")
    (root / "b" / "c" / "d.txt").write_bytes(b"\xff\xfe binary?")
    (root / "b" / "notes.md").write_text("ignored", encoding="utf-8")
    found = docs(root)
    assert [d.id for d in found] == ["b/a.txt", "b/c/d.txt", "z.txt"]
    assert found[1].error["code"] == "invalid_text"
    (single,) = docs(root / "z.txt")
    assert (single.id, single.text) == ("z.txt", "Zed.")


def record(**extra):
    sentence = {"index": 0, "start": 0, "end": 4, "text": "One.", "loaded": 0.2,
                "stance": 0.3, "quoted": False,
                "terms": [{"start": 0, "end": 3, "text": "One", "score": 0.9,
                           "polarity": "neg", "quoted": False}],
                "readability": {"words": 1}}
    result = {"model": {"name": "m", "version": "1"}, "title": None, "sentences": [sentence],
              "article": {"loaded": 0.2, "stance": 0.3, "loaded_share": 0.0, "sentences": 1,
                          "author_sentences": 1, "quoted_sentences": 0, "quoted_loaded": None,
                          "top_terms": [{"text": "One"}], "readability": {"words": 1}},
              "warnings": []}
    return {"n": 0, "id": "a", **extra, "result": result}


def test_flatten_article_row():
    (row,) = flatten_record(record(source="wire", loaded="clash"))
    assert row["n"] == 0 and row["id"] == "a" and row["source"] == "wire"
    assert row["input_loaded"] == "clash" and row["loaded"] == 0.2
    assert json.loads(row["top_terms"]) == [{"text": "One"}]
    assert row["readability_words"] == 1 and row["model_name"] == "m"


def test_flatten_per_sentence_and_errors():
    (row,) = flatten_record(record(), per_sentence=True)
    assert row["part"] == "body" and row["sentence"] == "One." and row["terms"] == '["One"]'
    error = {"n": 3, "id": "b", "line": 4, "error": {"code": "empty_text", "message": "m"}}
    for per_sentence in (False, True):
        (row,) = flatten_record(error, per_sentence=per_sentence)
        assert row == {"n": 3, "id": "b", "error_code": "empty_text", "error_message": "m"}


def test_column_registry_types_and_order():
    registry = ColumnRegistry()
    registry.add({"n": 0, "id": 1, "x": 1, "loaded": 0.5, "readability_words": 3, "y": None})
    registry.add({"n": 1, "id": "b", "x": 2.5, "y": True, "z": "s"})
    registry.add({"n": 2, "id": None, "x": None, "y": "t"})
    assert registry.columns[:5] == ["n", "id", "x", "y", "z"]
    assert registry.columns[-1] == "readability_words"
    assert [registry.kind(c) for c in ("n", "id", "x", "y", "z")] == [
        "int", "str", "float", "str", "str"]
    assert registry.coerce("id", 1) == "1" and registry.coerce("y", True) == "true"
