"""Word tokens with character offsets, shared by features, the term tagger and training."""

from __future__ import annotations

import re

__all__ = ["WORD_PATTERN", "tokenize", "token_spans"]

# Words keep inner apostrophes and hyphens ("don't", "so-called", "Trump’s") because
# loaded language often lives in compounds; numbers are words too.
WORD_PATTERN = re.compile(r"\w+(?:[’'\-]\w+)*")


def token_spans(text: str) -> list[tuple[int, int]]:
    """Character spans of the words in ``text``.

    Parameters
    ----------
    text : str

    Returns
    -------
    list of (start, end)
        ``text[start:end]`` is one word; spans are sorted and disjoint.
    """
    return [m.span() for m in WORD_PATTERN.finditer(text)]


def tokenize(text: str) -> list[str]:
    """Lower-cased words of ``text`` (the analyzer's one tokenizer, also used as the
    ``tokenizer`` of the scikit-learn vectorizers so training and scoring agree)."""
    return WORD_PATTERN.findall(text.lower())
