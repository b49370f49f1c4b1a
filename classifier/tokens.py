"""Word tokens with character offsets, shared by features, the term tagger and training."""

from __future__ import annotations

import re

__all__ = ["WORD_PATTERN", "TokenizedTexts", "tokenize", "tokenized", "token_spans"]

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


class TokenizedTexts(tuple):
    """A tuple of texts that tokenises itself once, on first use of :attr:`tokens`.

    The sentence model's feature blocks each need :func:`tokenize` of the same
    sentences; handing them one ``TokenizedTexts`` makes that one pass instead of one
    per block. A tuple, so the tokens can never go stale.
    """

    @property
    def tokens(self) -> list[list[str]]:
        """``[tokenize(text) for text in self]``, computed on first use."""
        tokens = self.__dict__.get("_tokens")
        if tokens is None:
            # Two threads may both compute it; they store equal lists, so either is fine.
            tokens = self.__dict__["_tokens"] = [tokenize(text) for text in self]
        return tokens


def tokenized(texts) -> list[list[str]]:
    """``[tokenize(text) for text in texts]``, reusing a :class:`TokenizedTexts`' tokens."""
    if isinstance(texts, TokenizedTexts):
        return texts.tokens
    return [tokenize(text) for text in texts]
