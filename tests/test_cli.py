"""CLI tests: click's runner for most, a real subprocess for the console script."""

import json
import subprocess
import sys

import click
import numpy as np
import pytest
from click.testing import CliRunner

from classifier.cli import cli, main

from .conftest import SEEDS


@pytest.fixture
def runner():
    return CliRunner()


@pytest.fixture
def article(tmp_path):
    path = tmp_path / "article.txt"
    path.write_text("The council made a shameful decision. The board met on Tuesday.\n")
    return path


def invoke(runner, tiny_model_dir, *args, **kwargs):
    return runner.invoke(cli, [*args, "--model", str(tiny_model_dir)], **kwargs)


def test_analyze_report(runner, tiny_model_dir, article):
    result = invoke(runner, tiny_model_dir, "analyze", str(article), "--no-color")
    assert result.exit_code == 0, result.output
    assert "Loaded language" in result.output and "[shameful]" in result.output
    assert "\x1b[" not in result.output


def test_analyze_json_matches_the_library(runner, tiny_model_dir, tiny_model, article):
    from classifier import Analyzer

    result = invoke(runner, tiny_model_dir, "analyze", "--json", str(article))
    assert result.exit_code == 0
    expected = Analyzer(tiny_model).analyze(article.read_text()).to_dict()
    assert json.loads(result.output) == expected


def test_file_offsets_count_after_the_bom_and_keep_crlf(runner, tiny_model_dir, tmp_path):
    path = tmp_path / "windows.txt"
    path.write_bytes(b"\xef\xbb\xbfThe board met.\r\nIt was a shameful decision.\r\n")
    result = invoke(runner, tiny_model_dir, "analyze", "--json", str(path))
    text = path.read_bytes().decode("utf-8-sig")
    sentences = json.loads(result.output)["sentences"]
    assert [(s["start"], s["end"]) for s in sentences] == [(0, 14), (16, 43)]
    assert [text[s["start"]:s["end"]] for s in sentences] == [s["text"] for s in sentences]


def test_analyze_stdin_title_and_explain(runner, tiny_model_dir):
    result = invoke(runner, tiny_model_dir, "analyze", "-", "--json", "--title", "A bad day",
                    "--explain", input="A shameful decision.")
    data = json.loads(result.output)
    assert data["title"]["text"] == "A bad day"
    assert "explain" in data["sentences"][0]


@pytest.mark.parametrize(
    "content, message",
    [
        (b"", "text is empty"),
        (b"   \n ", "text is empty"),
        (b"\x00\x01\x02binary", "binary"),
        (b"caf\xe9", "not UTF-8"),
        (b"bell \x07 here", "control character"),
    ],
)
def test_analyze_bad_files_exit_1_with_a_message(runner, tiny_model_dir, tmp_path, content,
                                                 message):
    path = tmp_path / "bad.txt"
    path.write_bytes(content)
    result = invoke(runner, tiny_model_dir, "analyze", str(path))
    assert result.exit_code == 1
    assert message in result.output and "Traceback" not in result.output


def test_analyze_missing_file_and_folder_are_usage_errors(runner, tiny_model_dir, tmp_path):
    assert invoke(runner, tiny_model_dir, "analyze", str(tmp_path / "nope.txt")).exit_code == 2
    result = invoke(runner, tiny_model_dir, "analyze", str(tmp_path))
    assert result.exit_code == 2 and "slant score" in result.output


def test_too_long_text(runner, tiny_model_dir, tmp_path):
    from classifier import MAX_TEXT_CHARS

    path = tmp_path / "long.txt"
    path.write_text("word " * (MAX_TEXT_CHARS // 5 + 10))
    result = invoke(runner, tiny_model_dir, "analyze", str(path))
    assert result.exit_code == 1 and "limit" in result.output


def test_too_long_standard_input_is_too_long_not_undecodable(runner, tiny_model_dir):
    # Reading stops one byte past 4 bytes a character, which can cut a character in two:
    # the length is the error, not the cut.
    from classifier import MAX_TEXT_CHARS

    result = invoke(runner, tiny_model_dir, "analyze", "-",
                    input="é".encode() * (2 * MAX_TEXT_CHARS + 1))
    assert result.exit_code == 1
    assert f"more than {4 * MAX_TEXT_CHARS:,} bytes long" in result.output
    assert "UTF-8" not in result.output


def test_bad_model_path(runner, tmp_path, article):
    result = runner.invoke(cli, ["analyze", str(article), "--model", str(tmp_path)])
    assert result.exit_code == 1 and "no model at" in result.output


def test_models_lists_a_folder(runner, tiny_model_dir):
    result = runner.invoke(cli, ["models", "--root", str(tiny_model_dir.parent)])
    assert result.exit_code == 0 and "slant-default" in result.output


def test_eval_generic_file(runner, tiny_model_dir, tmp_path):
    path = tmp_path / "labelled.jsonl"
    path.write_text(json.dumps({"text": "A shameful decision.", "label": 1}) + "\n"
                    + json.dumps({"text": "The board met.", "label": 0}) + "\n")
    result = invoke(runner, tiny_model_dir, "eval", str(path), "--json")
    assert result.exit_code == 0
    assert json.loads(result.output)["sentences"]["bias"]["n"] == 2


def test_eval_leaves_out_bad_rows_and_says_so(runner, tiny_model_dir, tmp_path):
    path = tmp_path / "labelled.jsonl"
    path.write_text(json.dumps({"text": "A shameful decision.", "label": 1}) + "\n"
                    + '{"text": "The board met.", "label": "maybe"}\n'
                    + json.dumps({"text": "The board met.", "label": 0}) + "\n")
    result = invoke(runner, tiny_model_dir, "eval", str(path), "--json")
    assert result.exit_code == 3
    metrics = json.loads(result.stdout)
    assert metrics["sentences"]["bias"]["n"] == 2
    assert metrics["skipped_rows"] == [{"line": 2, "error": "label must be 0 or 1"}]
    assert result.stderr.startswith("left out 1 bad row:\n")
    assert "labelled.jsonl:2: label must be 0 or 1" in result.stderr
    table = invoke(runner, tiny_model_dir, "eval", str(path))
    assert table.exit_code == 3 and "bias" in table.stdout and "terms" not in table.stdout


def test_eval_one_class_has_no_auc(runner, tiny_model_dir, tmp_path):
    path = tmp_path / "labelled.jsonl"
    path.write_text(json.dumps({"text": "A shameful decision.", "label": 1}) + "\n")
    result = invoke(runner, tiny_model_dir, "eval", str(path))
    assert result.exit_code == 0
    row = result.stdout.splitlines()[1].split()
    assert row[:3] == ["bias", "loaded", "1"] and row[4] == "-"


def test_eval_bad_file_is_a_clean_error(runner, tiny_model_dir, tmp_path):
    path = tmp_path / "bad.jsonl"
    path.write_text("{nope\n")
    result = invoke(runner, tiny_model_dir, "eval", str(path))
    assert result.exit_code == 1 and "malformed JSON" in result.output


def test_train_small(runner, tiny_data_dir, tmp_path):
    result = runner.invoke(cli, ["train", "--data", str(tiny_data_dir), "--output",
                                 str(tmp_path / "m"), "--no-char-ngrams", "--no-report", "-q"])
    assert result.exit_code == 0, result.output
    assert "macro-F1" in result.output and (tmp_path / "m" / "metadata.json").exists()


@pytest.mark.parametrize("value, message", [("sarcasm=x.jsonl", "expected TASK=FILE"),
                                            ("bias", "expected TASK=FILE"),
                                            ("bias=missing.jsonl", "missing data file")])
def test_train_extra_option_errors(runner, tiny_data_dir, tmp_path, value, message):
    result = runner.invoke(cli, ["train", "--data", str(tiny_data_dir), "--output",
                                 str(tmp_path / "m"), "--extra", value, "-q"])
    assert result.exit_code in (1, 2) and message in result.output
    assert not (tmp_path / "m").exists()


def test_train_with_shape_features(runner, tiny_data_dir, tmp_path):
    from classifier import load_model

    result = runner.invoke(cli, ["train", "--data", str(tiny_data_dir), "--output",
                                 str(tmp_path / "m"), "--no-char-ngrams", "--shape-features",
                                 "--no-report", "-q"])
    assert result.exit_code == 0, result.output
    model = load_model(tmp_path / "m")
    assert model.metadata["config"]["shape_features"] is True
    assert "shape__shape_attributed" in model.features.get_feature_names_out()
    assert "sentence-shape" in (tmp_path / "m" / "MODEL_CARD.md").read_text()
    texts = ['"It is a disgrace," she said.', "Why would anyone back this?"]
    fast = model.score_sentences(texts)
    slow = model.score_sentences(texts, matrix=model.sentence_matrix(texts))
    for head in fast:
        np.testing.assert_allclose(fast[head], slow[head])


def test_train_missing_data(runner, tmp_path):
    result = runner.invoke(cli, ["train", "--data", str(tmp_path / "none"), "--output",
                                 str(tmp_path / "m"), "-q"])
    assert result.exit_code == 1 and "data folder not found" in result.output


def _commands(group: click.Group, prefix=()):
    for name, command in group.commands.items():
        yield (*prefix, name), command
        if isinstance(command, click.Group):
            yield from _commands(command, (*prefix, name))


@pytest.mark.parametrize("path, command", list(_commands(cli)), ids=lambda v: str(v))
def test_every_command_is_documented_with_an_example(path, command):
    assert command.help and "Example" in command.help, f"{' '.join(path)} lacks an example"
    for param in command.params:
        if isinstance(param, click.Option):
            assert param.help, f"{' '.join(path)} {param.opts[0]} has no help"


def test_main_returns_exit_codes(tiny_model_dir, article, tmp_path, capsys):
    assert main(["analyze", str(article), "--model", str(tiny_model_dir), "--json"]) == 0
    assert main(["analyze", "--bogus"]) == 2
    assert main(["--version"]) == 0
    corpus = tmp_path / "corpus.jsonl"
    corpus.write_text('{"text": "The board met."}\n{"text": 5}\n')
    assert main(["score", str(corpus), "-o", str(tmp_path / "out.jsonl"), "--quiet",
                 "--model", str(tiny_model_dir)]) == 3  # some documents failed


def test_console_script_runs_offline_in_a_subprocess(tiny_model_dir):
    text = (SEEDS / "wire_report.txt").read_text()
    completed = subprocess.run(
        [sys.executable, "-m", "classifier.cli", "analyze", "-", "--json", "--model",
         str(tiny_model_dir)],
        input=text, capture_output=True, text=True, timeout=60,
    )
    assert completed.returncode == 0, completed.stderr
    assert json.loads(completed.stdout)["sentences"]
