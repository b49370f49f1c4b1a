"""The examples in README.md and docs/ are the default model's real output."""

import json
import re

import pytest

from classifier import Analyzer

from .conftest import ROOT

JSON_BLOCK = re.compile(r"```json\n(.*?)```", re.S)
# A curl line with a JSON body, then (after its continuation lines) the reply.
CURL = re.compile(r"^\$ curl .*?-d '(\{.*?\})'\n(\{.*\})$", re.M | re.S)
SHOWN_NUMBER = re.compile(r'"(\w+)":\s*(-?\d+(?:\.\d+)?)')


@pytest.fixture(scope="module")
def analyzer(default_model):
    return Analyzer(default_model)


def _numbers(text: str) -> list[tuple[str, str]]:
    return SHOWN_NUMBER.findall(text)


def _is_subsequence(shown: list, real: list) -> bool:
    remaining = iter(real)
    return all(pair in remaining for pair in shown)


def test_readme_result_example_is_real_output(analyzer):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## The result", 1)[1]
    shown = json.loads(JSON_BLOCK.search(section).group(1))
    # The article is its sentences at their offsets, separated by spaces.
    text = ""
    for sentence in shown["sentences"]:
        text += " " * (sentence["start"] - len(text)) + sentence["text"]
    assert analyzer.analyze(text).to_dict() == shown


@pytest.mark.parametrize("page", ["README.md", "docs/api.md"])
def test_curl_examples_show_real_scores(analyzer, page):
    examples = [(json.loads(request), reply) for request, reply in
                CURL.findall((ROOT / page).read_text(encoding="utf-8"))
                if '"sentences"' in reply.split("\n", 1)[0]]
    assert examples, f"no curl example with a result in {page}"
    for request, reply in examples:
        reply = reply.split("\n", 1)[0]
        real = json.dumps(analyzer.analyze(request["text"]).to_dict())
        shown = _numbers(reply)
        assert len(shown) > 10
        # Replies elide parts ("..."): every number shown must appear, in order.
        assert _is_subsequence(shown, _numbers(real)), (shown, _numbers(real))


def test_batch_error_records_are_real_output(tiny_model_dir, tmp_path):
    """docs/batch.md's error records (``...`` elides a part) are `slant score`'s lines."""
    from click.testing import CliRunner

    from classifier.cli import cli

    page = (ROOT / "docs" / "batch.md").read_text(encoding="utf-8")
    shown = [line for block in JSON_BLOCK.findall(page) for line in block.splitlines()
             if '"error"' in line]
    assert len(shown) >= 2
    corpus = tmp_path / "corpus.jsonl"
    corpus.write_text('{"id": "doc-1", "source": "wire", "text": "The board met."}\n'
                      "not json\n"
                      '{"text": "The council voted."}\n'
                      '{"id": "number", "text": 5}\n', encoding="utf-8")
    output = tmp_path / "scored.jsonl"
    result = CliRunner().invoke(cli, ["score", str(corpus), "-o", str(output), "--quiet",
                                      "--model", str(tiny_model_dir)])
    assert result.exit_code == 3, result.output
    real = (output.read_text(encoding="utf-8").splitlines()
            + (tmp_path / "scored.jsonl.errors.jsonl").read_text(encoding="utf-8").splitlines())
    for line in shown:
        pattern = ".*".join(map(re.escape, line.split("...")))
        assert any(re.fullmatch(pattern, record) for record in real), (line, real)
