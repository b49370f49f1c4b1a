"""A real `slant score` process killed mid-run continues with --resume, losing nothing."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from classifier.batch import partial_path_for, score_corpus

from .batch_helpers import corpus_records, read_jsonl, write_jsonl

pytestmark = pytest.mark.slow


def score_command(corpus, out, model, *extra):
    return [sys.executable, "-m", "classifier.cli", "score", str(corpus), "-o", str(out),
            "--model", str(model), *extra]


def start_and_stop(command, partial, *, min_records: int, sig: int) -> subprocess.Popen:
    """Start ``command``; once its journal holds ``min_records`` records, send ``sig``."""
    # SIGINT back to its default in the child: a test run started in the background by a
    # non-interactive shell has it ignored, and Python then never raises KeyboardInterrupt.
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               start_new_session=True,
                               preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            out, err = process.communicate()
            pytest.fail(f"the run ended before it could be stopped: {err.decode()}")
        if partial.exists() and partial.read_bytes().count(b"\n") > min_records:
            os.killpg(process.pid, sig)  # the whole group, as a terminal's Ctrl-C does
            break
        time.sleep(0.01)
    else:
        process.kill()
        pytest.fail("the journal never grew")
    process.wait(timeout=60)
    return process


N_DOCS = 1500


@pytest.fixture(scope="module")
def scored(tiny_model_dir, tmp_path_factory):
    """A corpus of short documents and its uninterrupted single-process output."""
    root = tmp_path_factory.mktemp("kill")
    corpus = write_jsonl(root / "corpus.jsonl", corpus_records(N_DOCS, sentences=1))
    reference = score_corpus(corpus, root / "reference.jsonl", model_path=tiny_model_dir)
    return corpus, reference.output


def check_resumed(out, reference):
    records = read_jsonl(out)
    assert [r["n"] for r in records] == list(range(N_DOCS))  # no loss, no duplicate
    assert records == read_jsonl(reference)
    assert out.read_bytes() == reference.read_bytes()
    assert not partial_path_for(out).exists()


def test_sigkill_then_resume(tiny_model_dir, scored, tmp_path):
    corpus, reference = scored
    out = tmp_path / "scored.jsonl"
    command = score_command(corpus, out, tiny_model_dir, "--chunk-size", "16")
    process = start_and_stop(command, partial_path_for(out), min_records=100,
                             sig=signal.SIGKILL)
    assert process.returncode == -signal.SIGKILL
    assert not out.exists()  # a partial run never looks complete
    done = partial_path_for(out).read_bytes().count(b"\n") - 1
    assert 100 <= done < N_DOCS

    resumed = subprocess.run(command + ["--resume"], capture_output=True, timeout=300)
    assert resumed.returncode == 0, resumed.stderr.decode()
    assert b"from the interrupted run" in resumed.stderr
    check_resumed(out, reference)


def test_ctrl_c_with_two_processes_then_resume(tiny_model_dir, scored, tmp_path):
    corpus, reference = scored
    out = tmp_path / "scored.jsonl"
    command = score_command(corpus, out, tiny_model_dir, "--jobs", "2", "--chunk-size", "8")
    process = start_and_stop(command, partial_path_for(out), min_records=40,
                             sig=signal.SIGINT)
    stderr = process.stderr.read().decode()
    assert process.returncode == 130, stderr
    assert "--resume" in stderr and "Traceback" not in stderr
    assert not out.exists()

    # Finish in this process's way (serially): the journal does not care who wrote it.
    resumed = subprocess.run(command[:-4] + ["--resume"], capture_output=True, timeout=300)
    assert resumed.returncode == 0, resumed.stderr.decode()
    check_resumed(out, reference)
