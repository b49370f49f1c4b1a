"""The wheel ships the default model (package data never ships by accident)."""

import configparser
import subprocess
import sys
import tomllib
import zipfile

import pytest
from packaging.requirements import Requirement

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


def _requirements() -> list[str]:
    config = configparser.ConfigParser()
    config.read(ROOT / "setup.cfg", encoding="utf-8")
    lines = config["options"]["install_requires"].splitlines()
    for extra in config["options.extras_require"]:
        lines += config["options.extras_require"][extra].splitlines()
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    lines += pyproject["build-system"]["requires"]
    return [line.strip() for line in lines if line.strip() and not line.strip().startswith("#")]


def test_every_dependency_has_a_known_good_range():
    """Each requirement, runtime, extra or build, has an upper bound (or an exact pin)."""
    requirements = [Requirement(line) for line in _requirements()]
    assert len(requirements) > 20
    unbounded = [str(r) for r in requirements
                 if not any(spec.operator in ("<", "<=", "==", "~=") for spec in r.specifier)]
    assert unbounded == []
