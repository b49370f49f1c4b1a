"""Deferred third-party imports (classifier._lazy)."""

import subprocess
import sys

import pytest

from classifier._lazy import defer_import


@pytest.fixture
def module_dir(tmp_path, monkeypatch):
    (tmp_path / "slant_lazy_probe.py").write_text(
        "import builtins\n"
        "builtins.slant_lazy_runs = getattr(builtins, 'slant_lazy_runs', 0) + 1\n"
        "VALUE = 42\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    yield tmp_path
    sys.modules.pop("slant_lazy_probe", None)
    import builtins

    if hasattr(builtins, "slant_lazy_runs"):
        del builtins.slant_lazy_runs


def test_deferred_module_runs_on_first_attribute_use_only(module_dir):
    import builtins

    defer_import("slant_lazy_probe")
    import slant_lazy_probe as bound_early

    assert getattr(builtins, "slant_lazy_runs", 0) == 0
    assert bound_early.VALUE == 42
    assert builtins.slant_lazy_runs == 1
    import slant_lazy_probe

    assert slant_lazy_probe.VALUE == 42 and bound_early.VALUE == 42
    assert builtins.slant_lazy_runs == 1


def test_missing_or_loaded_modules_are_left_alone(module_dir):
    defer_import("slant_no_such_module")
    assert "slant_no_such_module" not in sys.modules
    with pytest.raises(ModuleNotFoundError):
        import slant_no_such_module  # noqa: F401
    import slant_lazy_probe

    defer_import("slant_lazy_probe")
    assert sys.modules["slant_lazy_probe"] is slant_lazy_probe


def test_importing_and_using_slant_never_runs_nltk():
    # A fresh interpreter: this one may have loaded NLTK through other tests.
    code = (
        "import sys, classifier\n"
        "from classifier.readability import readability_report, sentence_readability\n"
        "text = 'The unprecedented catastrophe shocked everyone. Officials said nothing.'\n"
        "readability_report(text, [(0, 48), (49, len(text))])\n"
        "assert sentence_readability('Antidisestablishmentarianism.')['syllables'] > 5\n"
        "print('nltk.data' in sys.modules)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True)
    assert result.stdout.strip() == "False"


def test_textstat_still_reaches_nltk_when_asked():
    code = (
        "import classifier, textstat.backend.utils._get_cmudict as g\n"
        "print(callable(g.nltk.data.find))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True)
    assert result.stdout.strip() == "True"
