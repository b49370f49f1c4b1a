"""Shared fixtures: a tiny model trained on tiny invented corpora, and the real data path."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from classifier.training import TrainingConfig, train_and_save

from .corpora_fixtures import write_corpora

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
SHARED_DATA = Path(os.environ.get("SLANT_DATA", ROOT.parent / "shared" / "data"))


@pytest.fixture(scope="session")
def tiny_data_dir(tmp_path_factory) -> Path:
    return write_corpora(tmp_path_factory.mktemp("corpora"))


@pytest.fixture(scope="session")
def tiny_model_dir(tiny_data_dir, tmp_path_factory) -> Path:
    """A model trained in about a second on the tiny corpora (word features only)."""
    output = tmp_path_factory.mktemp("models") / "tiny"
    train_and_save(tiny_data_dir, output, TrainingConfig(char_ngrams=False, calibration_folds=3))
    return output


@pytest.fixture(scope="session")
def tiny_model(tiny_model_dir):
    from classifier import load_model

    return load_model(tiny_model_dir)


@pytest.fixture(scope="session")
def default_model():
    from classifier import load_model

    return load_model()


@pytest.fixture(scope="session")
def shared_data() -> Path:
    if not (SHARED_DATA / "babe").is_dir():
        pytest.skip(f"the corpora are not at {SHARED_DATA} (set SLANT_DATA to their folder)")
    return SHARED_DATA
