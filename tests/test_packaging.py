"""The wheel ships the default model (package data never ships by accident)."""

import subprocess
import sys
import zipfile

import pytest

from .conftest import ROOT


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps", "--no-build-isolation",
         "-q", "-w", str(out)],
        check=True, capture_output=True, timeout=300,
    )
    (path,) = out.glob("slant-*.whl")
    return path


def test_wheel_contains_the_default_model_and_entry_point(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for name in ("model.pkl.xz", "metadata.json", "MODEL_CARD.md"):
        assert f"classifier/models/default/{name}" in names
    assert "classifier/cli.py" in names and "api/__init__.py" in names
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    assert "slant = classifier.cli:main" in zipfile.ZipFile(wheel).read(entry_points).decode()


def test_wheel_ships_no_tests_data_or_caches(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    assert not [n for n in names if n.startswith(("tests/", "seeds/", "bench/"))
                or "__pycache__" in n or n.endswith(".pyc")]
