"""`--dask local`: the same scoring on a loopback Dask cluster gives the same output."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from classifier.batch import BatchError, score_corpus
from classifier.cli import cli

from .batch_helpers import corpus_records, write_jsonl

pytestmark = pytest.mark.slow
pytest.importorskip("distributed")


def test_dask_local_matches_single_process(tiny_model_dir, tmp_path):
    corpus = write_jsonl(tmp_path / "corpus.jsonl", corpus_records(150) + [{"text": None}])
    reference = score_corpus(corpus, tmp_path / "reference.jsonl", model_path=tiny_model_dir)
    out = tmp_path / "dask.jsonl"
    result = CliRunner().invoke(cli, ["score", str(corpus), "-o", str(out), "--dask", "local",
                                      "--jobs", "2", "--chunk-size", "10",
                                      "--model", str(tiny_model_dir)])
    assert result.exit_code == 3, result.output  # the record without text
    assert "scored 150 of 151 documents" in result.output
    assert out.read_bytes() == reference.output.read_bytes()
    assert (tmp_path / "dask.jsonl.errors.jsonl").read_bytes() == (
        tmp_path / "reference.jsonl.errors.jsonl").read_bytes()


def test_unreachable_scheduler_is_a_fatal_error(tiny_model_dir, tmp_path):
    import dask

    corpus = write_jsonl(tmp_path / "corpus.jsonl", corpus_records(2))
    with dask.config.set({"distributed.comm.timeouts.connect": "1s"}), \
            pytest.raises(BatchError, match="cannot connect to the Dask scheduler"):
        score_corpus(corpus, tmp_path / "o.jsonl", dask="tcp://127.0.0.1:1",
                     model_path=tiny_model_dir)
