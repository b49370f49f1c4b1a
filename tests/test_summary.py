"""`slant summarize`: distributions, terms and per-source figures of scored records."""

from __future__ import annotations

import json
import sys

import pytest
from click.testing import CliRunner

from classifier.batch import score_corpus
from classifier.cli import cli
from classifier.summary import Distribution, SummaryError, summarize_file, summarize_records

from .batch_helpers import corpus_records, write_jsonl


def term(text, quoted=False):
    return {"start": 0, "end": len(text), "text": text, "score": 0.9, "polarity": "negative",
            "quoted": quoted}


def scored(n, loaded, stance, *, source=None, terms=(), title_terms=()):
    result = {
        "model": {"name": "m", "version": "1"},
        "title": {"terms": list(title_terms)} if title_terms else None,
        "sentences": [{"terms": list(terms)}],
        "article": {"loaded": loaded, "stance": stance,
                    "loaded_share": None if loaded is None else float(loaded >= 0.5)},
        "warnings": [],
    }
    record = {"n": n, "id": n, "result": result}
    if source is not None:
        record["source"] = source
    return record


RECORDS = [
    scored(0, 0.1, 0.2, source="wire", terms=[term("Shameful"), term("disgrace", True)]),
    scored(1, 0.3, 0.4, source="wire", terms=[term("shameful")]),
    scored(2, 0.9, 0.8, source="blog", terms=[term("heroic")],
           title_terms=[term("Shameful")]),
    scored(3, None, None, source="blog", terms=[term("disgrace", True)]),
    {"n": 4, "id": 4, "source": "blog", "line": 5,
     "error": {"code": "empty_text", "message": "text is empty"}},
]


def test_distribution_quartiles_and_histogram():
    from array import array

    d = Distribution.of(array("d", [0.0, 0.25, 0.5, 0.75, 1.0]))
    assert (d.count, d.mean, d.min, d.q1, d.median, d.q3, d.max) == (
        5, 0.5, 0.0, 0.25, 0.5, 0.75, 1.0)
    assert d.histogram == [1, 0, 1, 0, 0, 1, 0, 1, 0, 1]  # 1.0 falls in the last bin
    empty = Distribution.of(array("d"))
    assert empty.count == 0 and empty.mean is None and sum(empty.histogram) == 0


def test_summary_figures():
    summary = summarize_records(RECORDS)
    assert (summary.documents, summary.scored, summary.failed) == (5, 4, 1)
    assert summary.no_author_sentences == 1
    assert summary.loaded.count == 3 and summary.loaded.mean == pytest.approx(0.4333, abs=1e-4)
    assert summary.loaded.median == 0.3 and summary.stance.max == 0.8
    assert summary.author_terms == [("shameful", 3), ("heroic", 1)]
    assert summary.quoted_terms == [("disgrace", 2)]
    assert summary.source_field == "source"
    assert summary.sources["wire"] == {"documents": 2, "failed": 0, "loaded": 0.2,
                                       "stance": 0.3, "loaded_share": 0.0}
    assert summary.sources["blog"]["documents"] == 3 and summary.sources["blog"]["failed"] == 1
    assert summary.sources["blog"]["loaded"] == 0.9


def test_sources_only_when_present_or_asked():
    plain = [{k: v for k, v in r.items() if k != "source"} for r in RECORDS]
    assert summarize_records(plain).source_field is None
    outlet = [{**r, "outlet": "x"} for r in plain]
    summary = summarize_records(outlet, source_field="outlet")
    assert summary.source_field == "outlet" and list(summary.sources) == ["x"]


def test_cli_text_report_and_json(tmp_path):
    path = write_jsonl(tmp_path / "scored.jsonl", RECORDS)
    result = CliRunner().invoke(cli, ["summarize", str(path)])
    assert result.exit_code == 0, result.output
    for expected in ("documents: 5 (4 scored, 1 failed)", "loaded (article, author voice)",
                     "median 0.300", "0.9-1.0", "shameful", "disgrace", "per source (source)",
                     "wire"):
        assert expected in result.output
    result = CliRunner().invoke(cli, ["summarize", str(path), "--json", "--top", "1"])
    data = json.loads(result.output)
    assert data["terms"]["author"] == [{"term": "shameful", "count": 3}]
    assert data["loaded"]["histogram"][9] == 1 and data["sources"]["wire"]["documents"] == 2


def test_summarize_real_scored_output_and_plot(tiny_model_dir, tmp_path):
    pytest.importorskip("matplotlib")
    corpus = write_jsonl(tmp_path / "c.jsonl", corpus_records(12) + [{"text": ""}])
    out = score_corpus(corpus, tmp_path / "scored.jsonl", model_path=tiny_model_dir).output
    png = tmp_path / "plots" / "scores.png"
    png.parent.mkdir()
    result = CliRunner().invoke(cli, ["summarize", str(out), "--plot", str(png)])
    assert result.exit_code == 0, result.output
    assert "documents: 13 (12 scored, 1 failed)" in result.output
    assert "per source (source)" in result.output and "paper" in result.output
    assert png.read_bytes().startswith(b"\x89PNG")
    assert summarize_file(out).loaded.count + summarize_file(out).no_author_sentences == 12


def test_plot_without_matplotlib_is_a_clear_error(tmp_path, monkeypatch):
    path = write_jsonl(tmp_path / "scored.jsonl", RECORDS)
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    result = CliRunner().invoke(cli, ["summarize", str(path), "--plot",
                                      str(tmp_path / "p.png")])
    assert result.exit_code == 1 and "needs matplotlib" in result.output


def test_journal_of_an_unfinished_run(tmp_path):
    path = write_jsonl(tmp_path / "s.jsonl.partial", [{"slant_batch": 1}, *RECORDS[:3]])
    with path.open("ab") as f:
        f.write(b'{"n": 3, "id": 3, "res')  # being written
    assert summarize_file(path).documents == 3


@pytest.mark.parametrize("content, message", [
    (b"not json\n", "not JSON"),
    (b"not json\n{}", "not JSON"),
    (b'{"text": "an input, not a scored record"}\n', "not a record of `slant score`"),
])
def test_bad_scored_files(tmp_path, content, message):
    path = tmp_path / "x.jsonl"
    path.write_bytes(content)
    with pytest.raises(SummaryError, match=message):
        summarize_file(path)
    result = CliRunner().invoke(cli, ["summarize", str(path)])
    assert result.exit_code == 1 and message in result.output


def test_missing_file_and_flat_formats(tmp_path):
    with pytest.raises(SummaryError, match="no such file"):
        summarize_file(tmp_path / "nope.jsonl")
    (tmp_path / "s.csv").write_text("n,id\n", encoding="utf-8")
    with pytest.raises(SummaryError, match="JSONL output"):
        summarize_file(tmp_path / "s.csv")
