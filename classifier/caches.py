"""Caches that fitted estimators derive from what they learned, kept out of pickles."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

_T = TypeVar("_T")

__all__ = ["DerivedCachesMixin"]


class DerivedCachesMixin:
    """Leaves the attributes named in ``_derived_caches`` out of the pickled state.

    They are rebuilt from the fitted attributes on first use, so a saved model holds only
    what was learned, and its bytes do not depend on what it scored before saving. ``fit``
    calls :meth:`_drop_derived_caches` first, so a refitted estimator never reads caches
    derived from its previous fit.
    """

    _derived_caches: tuple[str, ...] = ()

    def _derived_cache(self, name: str, build: Callable[[], _T]) -> _T:
        """The cache ``name`` (one of ``_derived_caches``), made by ``build()`` on first use.

        ``setdefault``: if two threads build it at once, both keep the one stored first.
        """
        value = self.__dict__.get(name)
        if value is None:
            value = self.__dict__.setdefault(name, build())
        return value

    def _drop_derived_caches(self) -> None:
        for name in self._derived_caches:
            self.__dict__.pop(name, None)

    def __getstate__(self) -> dict[str, Any]:
        # A copy: on Python 3.11+ object.__getstate__ (which scikit-learn's defers to for
        # estimators outside sklearn) returns the live __dict__, and popping from it would
        # throw away the running object's caches.
        state = dict(super().__getstate__())
        for name in self._derived_caches:
            state.pop(name, None)
        return state
