"""`slant score` end to end with the tiny model: formats, errors, resume, parallelism."""

from __future__ import annotations

import csv
import json
import os

import pytest
from click.testing import CliRunner

import classifier.batch as batch
from classifier import Analyzer
from classifier.batch import EXIT_SOME_FAILED, partial_path_for, score_corpus
from classifier.cli import cli

from .batch_helpers import corpus_records, make_texts, read_jsonl, write_jsonl


@pytest.fixture
def run(tiny_model_dir):
    """Run `slant score ARGS --model tiny`; return the click result."""

    def invoke(*args, input=None):
        runner = CliRunner()
        return runner.invoke(cli, ["score", *map(str, args), "--model", str(tiny_model_dir)],
                             input=input)

    return invoke


@pytest.fixture
def corpus(tmp_path):
    return write_jsonl(tmp_path / "corpus.jsonl", corpus_records(40))


def test_jsonl_records_hold_the_core_schema(run, corpus, tmp_path, tiny_model):
    out = tmp_path / "scored.jsonl"
    result = run(corpus, "-o", out)
    assert result.exit_code == 0, result.output
    records = read_jsonl(out)
    inputs = read_jsonl(corpus)
    assert [r["n"] for r in records] == list(range(40))
    assert [r["id"] for r in records] == [i["id"] for i in inputs]
    assert all(r["source"] == i["source"] for r, i in zip(records, inputs, strict=True))
    analyzer = Analyzer(tiny_model)
    for record, source in zip(records[:5], inputs, strict=False):
        assert record["result"] == analyzer.analyze(source["text"]).to_dict()
    assert not partial_path_for(out).exists()
    assert not (tmp_path / "scored.jsonl.errors.jsonl").exists()
    assert "scored 40 of 40 documents" in result.output  # the summary, on stderr
    assert "docs/s" in result.output


def test_standard_output_is_refused_as_the_output(run, corpus, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for extra in ([], ["--format", "jsonl"]):
        result = run(corpus, "-o", "-", *extra)
        assert result.exit_code == 2
        assert "not standard output" in result.output
    assert not (tmp_path / "-").exists() and not (tmp_path / "-.errors.jsonl").exists()


def test_quiet_and_no_progress_bar_off_a_terminal(run, corpus, tmp_path):
    result = run(corpus, "-o", tmp_path / "a.jsonl")
    assert "doc/s" not in result.output and "%|" not in result.output  # no tqdm bar
    result = run(corpus, "-o", tmp_path / "b.jsonl", "--quiet")
    assert result.exit_code == 0 and result.output == ""


@pytest.mark.parametrize("per_sentence", [False, True])
def test_csv_output(run, corpus, tmp_path, per_sentence):
    out = tmp_path / "scored.csv"
    result = run(corpus, "-o", out, *(["--per-sentence"] if per_sentence else []))
    assert result.exit_code == 0, result.output
    with out.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    if per_sentence:
        assert {"part", "sentence", "loaded", "stance", "quoted", "terms"} <= set(rows[0])
        assert len({r["n"] for r in rows}) == 40 and len(rows) > 40
        assert all(r["part"] == "body" for r in rows)
    else:
        assert len(rows) == 40
        assert [r["id"] for r in rows] == [f"doc-{i}" for i in range(40)]
        assert {"loaded", "stance", "loaded_share", "top_terms", "source",
                "readability_flesch_reading_ease"} <= set(rows[0])
        assert 0 <= float(rows[0]["loaded"]) <= 1


@pytest.mark.parametrize("per_sentence", [False, True])
def test_parquet_output_matches_csv(run, corpus, tmp_path, per_sentence):
    pd = pytest.importorskip("pandas")
    flag = ["--per-sentence"] if per_sentence else []
    assert run(corpus, "-o", tmp_path / "s.parquet", *flag).exit_code == 0
    assert run(corpus, "-o", tmp_path / "s.out", "--format", "csv", *flag).exit_code == 0
    parquet = pd.read_parquet(tmp_path / "s.parquet")
    table = pd.read_csv(tmp_path / "s.out")
    assert list(parquet.columns) == list(table.columns)
    assert len(parquet) == len(table)
    assert parquet["loaded"].tolist() == pytest.approx(table["loaded"].tolist(),
                                                          nan_ok=True)
    assert parquet["n"].dtype.kind == "i"


def test_folder_to_csv(run, tmp_path):
    root = tmp_path / "articles"
    (root / "2024").mkdir(parents=True)
    for i, text in enumerate(make_texts(3)):
        (root / ("2024" if i else "") / f"a{i}.txt").write_text(text, encoding="utf-8")
    out = tmp_path / "scored.csv"
    assert run(root, "-o", out, "--format", "csv").exit_code == 0
    with out.open(encoding="utf-8") as f:
        assert [r["id"] for r in csv.DictReader(f)] == ["2024/a1.txt", "2024/a2.txt", "a0.txt"]


def test_csv_columns_to_parquet(run, tmp_path):
    pd = pytest.importorskip("pandas")
    source = tmp_path / "news.csv"
    with source.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["url", "headline", "body", "outlet"])
        for i, text in enumerate(make_texts(5)):
            writer.writerow([f"https://news.example/{i}", f"Headline {i}", text, "Ex"])
    out = tmp_path / "scored.parquet"
    result = run(source, "--text-column", "body", "--id-column", "url", "--title-column",
                 "headline", "-o", out)
    assert result.exit_code == 0, result.output
    table = pd.read_parquet(out)
    assert table["id"].tolist() == [f"https://news.example/{i}" for i in range(5)]
    assert table["headline"].tolist() == [f"Headline {i}" for i in range(5)]
    assert table["title_loaded"].notna().all() and table["outlet"].eq("Ex").all()


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_unpaired_surrogates_reach_flat_outputs_escaped(run, tmp_path, suffix):
    # A Latin-1 byte in a CSV column the scorer passes through, and a JSONL id and field
    # name holding a JSON "\ud800": UTF-8 cells cannot hold them, so they are written as
    # the JSONL output shows them instead of failing the whole run at the end.
    if suffix == ".parquet":
        pytest.importorskip("pyarrow")
    texts = make_texts(2)
    latin = tmp_path / "latin.csv"
    quoted = ['"' + text.replace('"', '""') + '"' for text in texts]
    latin.write_bytes(f"id,text,author\n1,{quoted[0]},Jos\udce9\n2,{quoted[1]},Ann\n"
                      .encode("utf-8", "surrogateescape"))  # "Jos" and the byte 0xe9
    jsonl = tmp_path / "odd.jsonl"
    jsonl.write_text(json.dumps({"id": "\ud800", "text": texts[0], "\udfff": 1}) + "\n",
                     encoding="ascii")
    rows = []
    for source in (latin, jsonl):
        out = tmp_path / f"{source.stem}-scored{suffix}"
        result = run(source, "-o", out)
        assert result.exit_code == 0, result.output
        if suffix == ".csv":
            with out.open(encoding="utf-8", newline="") as f:
                rows.append(list(csv.DictReader(f)))
        else:
            import pyarrow.parquet as pq

            rows.append(pq.read_table(out).to_pylist())
    latin_rows, odd_rows = rows
    assert [r["author"] for r in latin_rows] == ["Jos\\udce9", "Ann"]
    assert odd_rows[0]["id"] == "\\ud800" and str(odd_rows[0]["\\udfff"]) == "1"
    assert all(r["model_name"] and not r["error_code"] for r in latin_rows + odd_rows)


def test_parquet_input_and_txt_file(run, tmp_path):
    pa = pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    pq.write_table(pa.table({"text": make_texts(3), "rank": [3, 2, 1]}), tmp_path / "c.parquet")
    assert run(tmp_path / "c.parquet", "-o", tmp_path / "p.jsonl").exit_code == 0
    assert [(r["id"], r["rank"]) for r in read_jsonl(tmp_path / "p.jsonl")] == [
        (1, 3), (2, 2), (3, 1)]
    (tmp_path / "one.txt").write_text(make_texts(1)[0], encoding="utf-8")
    assert run(tmp_path / "one.txt", "-o", tmp_path / "t.jsonl").exit_code == 0
    (record,) = read_jsonl(tmp_path / "t.jsonl")
    assert record["id"] == "one.txt" and record["result"]["sentences"]


def test_stdin(run, tmp_path):
    lines = "".join(json.dumps({"text": t}) + "\n" for t in make_texts(3))
    result = run("-", "-o", tmp_path / "s.jsonl", input=lines.encode())
    assert result.exit_code == 0, result.output
    assert [r["id"] for r in read_jsonl(tmp_path / "s.jsonl")] == [1, 2, 3]


def test_bad_records_go_to_the_errors_file(run, tmp_path):
    good = make_texts(3)
    path = tmp_path / "mixed.jsonl"
    path.write_bytes(b"\n".join([
        json.dumps({"id": "g0", "text": good[0]}).encode(),            # line 1
        b'{"id": "bad-json", "text": ',                                # 2 malformed
        json.dumps({"id": "no-text", "body": "x"}).encode(),           # 3 missing text
        json.dumps({"id": "number", "text": 42}).encode(),             # 4 not a string
        json.dumps({"id": "empty", "text": "   "}).encode(),           # 5 empty
        json.dumps({"id": "ctrl", "text": "Bad \u0007 bell."}).encode(),  # 6 control char
        b'{"id": "latin1", "text": "caf\xe9"}',                        # 7 undecodable
        json.dumps({"id": "long", "text": "word " * 40_001}).encode(),  # 8 too long
        json.dumps({"id": "g1", "text": good[1]}).encode(),            # 9
        b"",                                                           # 10 blank: skipped
        json.dumps({"id": "g2", "text": good[2]}).encode(),            # 11
    ]) + b"\n")
    out = tmp_path / "scored.jsonl"
    result = run(path, "-o", out)
    assert result.exit_code == EXIT_SOME_FAILED, result.output
    assert "7 failed" in result.output
    errors = read_jsonl(tmp_path / "scored.jsonl.errors.jsonl")
    assert [(e["line"], e["id"], e["error"]["code"]) for e in errors] == [
        (2, 2, "malformed_json"), (3, "no-text", "missing_text"), (4, "number", "invalid_type"),
        (5, "empty", "empty_text"), (6, "ctrl", "invalid_text"), (7, 7, "invalid_text"),
        (8, "long", "text_too_long")]
    assert all(e["error"]["message"] for e in errors)
    records = read_jsonl(out)
    assert len(records) == 10  # one per document, failed ones included
    assert [r["id"] for r in records if "result" in r] == ["g0", "g1", "g2"]


def test_a_document_that_trips_a_bug_is_reported_and_the_rest_scored(run, tmp_path,
                                                                     monkeypatch, tiny_model):
    # Documents are analysed several at a time (Analyzer.analyze_each): a failing batch
    # is retried one document at a time, so only the document at fault fails.
    real = Analyzer.analyze_many

    def fragile(self, documents, **options):
        if any("BOOM" in text for text, _ in documents):
            raise RuntimeError("a bug that one document triggers")
        return real(self, documents, **options)

    monkeypatch.setattr(Analyzer, "analyze_many", fragile)
    texts = make_texts(6)
    texts[3] = "It went BOOM. " + texts[3]
    out = tmp_path / "scored.jsonl"
    result = run(write_jsonl(tmp_path / "in.jsonl", [{"text": t} for t in texts]), "-o", out)
    assert result.exit_code == EXIT_SOME_FAILED, result.output
    records = read_jsonl(out)
    assert records[3]["error"] == {"code": "internal_error",
                                   "message": "RuntimeError: a bug that one document triggers"}
    analyzer = Analyzer(tiny_model)
    assert [r["result"] for i, r in enumerate(records) if i != 3] == [
        real(analyzer, [(t, None)])[0].to_dict() for i, t in enumerate(texts) if i != 3]


@pytest.mark.parametrize("suffix", ["jsonl", "csv", "parquet"])
def test_empty_input(run, tmp_path, suffix):
    pd = pytest.importorskip("pandas")
    (tmp_path / "empty.jsonl").write_bytes(b"\n")
    out = tmp_path / f"s.{suffix}"
    result = run(tmp_path / "empty.jsonl", "-o", out)
    assert result.exit_code == 0 and "scored 0 of 0 documents" in result.output
    if suffix == "parquet":
        assert len(pd.read_parquet(out)) == 0
    elif suffix == "csv":
        assert out.read_text(encoding="utf-8").startswith("n,id,error_code")
    else:
        assert out.read_bytes() == b""


def test_custom_errors_path_and_csv_error_rows(run, tmp_path):
    path = write_jsonl(tmp_path / "c.jsonl", [{"text": "Fine words here."}, {"text": ""}])
    result = run(path, "-o", tmp_path / "s.csv", "--errors", tmp_path / "bad.jsonl")
    assert result.exit_code == EXIT_SOME_FAILED
    assert read_jsonl(tmp_path / "bad.jsonl")[0]["error"]["code"] == "empty_text"
    with (tmp_path / "s.csv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert [r["error_code"] for r in rows] == ["", "empty_text"]


@pytest.mark.parametrize("args, message", [
    (["--per-sentence"], "--per-sentence applies to CSV"),
    (["--resume", "--overwrite"], "not both"),
    (["--text-column", "body"], None),
])
def test_bad_options(run, corpus, tmp_path, args, message):
    result = run(corpus, "-o", tmp_path / "s.jsonl", *args)
    if message is None:  # a JSONL record without the field is a record error, not fatal
        assert result.exit_code == EXIT_SOME_FAILED
    else:
        assert result.exit_code == 1 and message in result.output


def test_fatal_errors_exit_1(run, tmp_path):
    result = run(tmp_path / "missing.jsonl", "-o", tmp_path / "s.jsonl")
    assert result.exit_code == 1 and "no such file" in result.output
    (tmp_path / "n.csv").write_text("body\nx\n", encoding="utf-8")
    result = run(tmp_path / "n.csv", "-o", tmp_path / "s.jsonl")
    assert result.exit_code == 1 and "no column 'text'" in result.output
    result = run(tmp_path / "n.csv", "-o", tmp_path / "n.csv", "--text-column", "body",
                 "--format", "csv")
    assert result.exit_code == 1 and "overwrite the input" in result.output


def test_existing_output_needs_resume_or_overwrite(run, corpus, tmp_path):
    out = tmp_path / "s.jsonl"
    assert run(corpus, "-o", out).exit_code == 0
    first = out.read_bytes()
    result = run(corpus, "-o", out)
    assert result.exit_code == 1 and "--overwrite" in result.output
    result = run(corpus, "-o", out, "--resume")
    assert result.exit_code == 0 and "already complete" in result.output
    assert run(corpus, "-o", out, "--overwrite").exit_code == 0
    assert out.read_bytes() == first


def interrupt_after(monkeypatch, chunks: int):
    """Make the serial runner raise KeyboardInterrupt after ``chunks`` chunks."""
    real = batch.score_chunk
    calls = {"n": 0}

    def flaky(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] > chunks:
            raise KeyboardInterrupt
        return real(*args, **kwargs)

    monkeypatch.setattr(batch, "score_chunk", flaky)


def test_source_path_that_is_not_utf8_journals_and_resumes(run, tmp_path, monkeypatch):
    # POSIX file names are bytes; Python keeps the undecodable ones as surrogates.
    folder = os.fsencode(tmp_path) + b"/caf\xe9"
    try:
        os.mkdir(folder)
    except OSError:  # a file system that insists on UTF-8 names
        pytest.skip("cannot create a file name that is not UTF-8 here")
    for i, text in enumerate(make_texts(12)):
        with open(folder + f"/{i:02d}.txt".encode(), "w", encoding="utf-8") as f:
            f.write(text)
    source, out = os.fsdecode(folder), tmp_path / "s.jsonl"
    with monkeypatch.context() as m:
        interrupt_after(m, 1)
        assert run(source, "-o", out, "--chunk-size", "4").exit_code == 1
    assert b"\\udce9" in partial_path_for(out).read_bytes().splitlines()[0]
    result = run(source, "-o", out, "--resume", "--chunk-size", "4")
    assert result.exit_code == 0, result.output
    assert "4 from the interrupted run" in result.output
    assert [r["id"] for r in read_jsonl(out)] == [f"{i:02d}.txt" for i in range(12)]


def test_interrupted_run_resumes_exactly(run, corpus, tmp_path, monkeypatch):
    reference = tmp_path / "ref.jsonl"
    assert run(corpus, "-o", reference).exit_code == 0
    out = tmp_path / "s.jsonl"
    with monkeypatch.context() as m:
        interrupt_after(m, 2)
        result = run(corpus, "-o", out, "--chunk-size", "8")
    assert result.exit_code == 1 and "--resume" in result.output  # Abort
    partial = partial_path_for(out)
    assert not out.exists()
    lines = partial.read_bytes().splitlines(keepends=True)
    assert len(lines) == 1 + 16  # the header and two chunks
    with partial.open("ab") as f:  # a record cut short by the kill
        f.write(lines[5][:40])
    result = run(corpus, "-o", out, "--resume", "--chunk-size", "8")
    assert result.exit_code == 0, result.output
    assert "16 from the interrupted run" in result.output
    assert out.read_bytes() == reference.read_bytes()
    assert not partial.exists()


def test_resume_refuses_another_input_or_options(run, corpus, tmp_path, monkeypatch):
    out = tmp_path / "s.jsonl"
    with monkeypatch.context() as m:
        interrupt_after(m, 1)
        run(corpus, "-o", out, "--chunk-size", "8")
    result = run(corpus, "-o", out, "--resume", "--no-readability")
    assert result.exit_code == 1 and "options.readability" in result.output
    other = write_jsonl(tmp_path / "other.jsonl", corpus_records(3))
    result = run(other, "-o", out, "--resume")
    assert result.exit_code == 1 and "input.path" in result.output
    result = run(corpus, "-o", out)
    assert result.exit_code == 1 and "s.jsonl.partial exists" in result.output
    assert run(corpus, "-o", out, "--overwrite").exit_code == 0


def test_library_resume_of_an_unordered_journal_sorts_the_output(tiny_model_dir, corpus,
                                                                  tmp_path, monkeypatch):
    reference = score_corpus(corpus, tmp_path / "ref.jsonl", model_path=tiny_model_dir)
    out = tmp_path / "s.jsonl"
    with monkeypatch.context() as m:
        interrupt_after(m, 2)
        with pytest.raises(KeyboardInterrupt):
            score_corpus(corpus, out, model_path=tiny_model_dir, chunk_size=8)
    partial = partial_path_for(out)
    header, *records = partial.read_bytes().splitlines(keepends=True)
    partial.write_bytes(header + b"".join(reversed(records)))
    summary = score_corpus(corpus, out, model_path=tiny_model_dir, resume=True, chunk_size=8)
    assert (summary.resumed, summary.processed, summary.documents) == (16, 24, 40)
    assert out.read_bytes() == reference.output.read_bytes()


def test_jobs_2_matches_jobs_1(run, tmp_path):
    corpus = write_jsonl(tmp_path / "c.jsonl", corpus_records(60) + [{"text": 5}])
    one, two = tmp_path / "one.jsonl", tmp_path / "two.jsonl"
    assert run(corpus, "-o", one, "--chunk-size", "7").exit_code == EXIT_SOME_FAILED
    assert run(corpus, "-o", two, "--jobs", "2", "--chunk-size", "7").exit_code == 3
    assert one.read_bytes() == two.read_bytes()
    assert (tmp_path / "one.jsonl.errors.jsonl").read_bytes() == (
        tmp_path / "two.jsonl.errors.jsonl").read_bytes()
    unordered = tmp_path / "u.jsonl"
    assert run(corpus, "-o", unordered, "--jobs", "2", "--chunk-size", "5",
               "--unordered").exit_code == 3
    assert sorted(read_jsonl(unordered), key=lambda r: r["n"]) == read_jsonl(one)


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_missing_model_is_fatal_and_leaves_no_journal(tmp_path, corpus, jobs):
    out = tmp_path / "s.jsonl"
    result = CliRunner().invoke(cli, ["score", str(corpus), "-o", str(out), "--jobs", jobs,
                                      "--model", str(tmp_path / "nope")])
    assert result.exit_code == 1 and "nope" in result.output
    assert not partial_path_for(out).exists() and not out.exists()


def test_crash_between_output_and_journal_removal(tiny_model_dir, corpus, tmp_path,
                                                  monkeypatch):
    out = tmp_path / "s.jsonl"
    with monkeypatch.context() as m:
        m.setattr(batch.Path, "unlink", lambda self, missing_ok=False: None)
        first = score_corpus(corpus, out, model_path=tiny_model_dir)
    assert partial_path_for(out).exists() and out.exists()  # as if killed right there
    summary = score_corpus(corpus, out, model_path=tiny_model_dir, resume=True)
    assert (summary.resumed, summary.processed, summary.documents) == (40, 0, 40)
    assert out.read_bytes() == first.output.read_bytes()
    assert not partial_path_for(out).exists()


@pytest.mark.parametrize("command", ["score", "summarize"])
def test_help_has_examples(command):
    result = CliRunner().invoke(cli, [command, "--help"])
    assert result.exit_code == 0 and "Examples:" in result.output


@pytest.mark.parametrize("ordered", [True, False])
def test_bounded_map_keeps_few_chunks_in_flight(ordered):
    import threading
    import time
    from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait

    in_flight, peak, lock = 0, 0, threading.Lock()
    submitted = []

    def work(i):
        time.sleep(0.02 if i % 3 == 0 else 0.001)  # some chunks are slower
        return i

    def chunks():
        for i in range(30):
            submitted.append(i)
            yield i

    with ThreadPoolExecutor(3) as pool:
        def submit(i):
            nonlocal in_flight, peak
            with lock:
                in_flight += 1
                peak = max(peak, in_flight)
            return pool.submit(work, i)

        results = []
        for r in batch._bounded_map(submit, lambda fs: wait(fs, return_when=FIRST_COMPLETED).done,
                                    chunks(), 4, ordered):
            results.append(r)
            in_flight -= 1
            assert len(submitted) - len(results) <= 4  # the input is read lazily
    assert peak <= 4
    assert results == list(range(30)) if ordered else sorted(results) == list(range(30))
