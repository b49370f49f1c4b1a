"""Word tokens with character offsets, shared by features, the term tagger and training."""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Mapping
from typing import NamedTuple

import numpy as np

__all__ = ["WORD_PATTERN", "TokenizedTexts", "VocabularyIds", "WordIds", "find_words",
           "lowered_words", "tokenize", "tokenized", "token_spans", "token_bounds"]

# Words keep inner apostrophes and hyphens ("don't", "so-called", "Trump’s") because
# loaded language often lives in compounds; numbers are words too.
WORD_PATTERN = re.compile(r"\w+(?:[’'\-]\w+)*")

# Punctuation that sticks to the edges of words in news copy. None of it is a word
# character (\w), so none of it can start or end a WORD_PATTERN match.
_EDGE_PUNCTUATION = "!\"#$%&'()*+,-./:;<=>?@[\\]^`{|}~«»‘’‚“”„–—…"

# Why the functions below split on whitespace instead of running WORD_PATTERN over the
# whole text (the same words, in about half the instructions): no match contains
# whitespace, so the matches of a text are those of its whitespace-separated pieces; a
# piece of letters and digits only (``str.isalnum``, which is what \w means besides "_")
# is one match; stripping non-word characters off a piece's edges leaves its matches as
# they were. Most pieces are plain words, most others a word with punctuation at its
# edges, and the regex runs only on the few left ("U.S.", "don't", "1,200"). Each regex
# call costs about as much as a whole sentence of the plain pieces.


def find_words(text: str) -> list[str]:
    """``WORD_PATTERN.findall(text)``: the words of ``text`` as written."""
    words: list[str] = []
    append = words.append
    for piece in text.split():
        if piece.isalnum():
            append(piece)
            continue
        core = piece.strip(_EDGE_PUNCTUATION)
        if core.isalnum():
            append(core)
        else:
            words += WORD_PATTERN.findall(core)
    return words


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
    pieces = text.split()
    if len(" ".join(pieces)) != len(text):
        # Runs of whitespace, or whitespace at the ends: rare inside a sentence.
        return [m.span() for m in WORD_PATTERN.finditer(text)]
    # One whitespace character between pieces, so each piece's offset follows from the
    # lengths (see find_words for why the pieces give WORD_PATTERN's words).
    spans: list[tuple[int, int]] = []
    append = spans.append
    start = 0
    for piece in pieces:
        end = start + len(piece)
        if piece.isalnum():
            append((start, end))
        else:
            core = piece.strip(_EDGE_PUNCTUATION)
            if core.isalnum():
                offset = end - len(piece.lstrip(_EDGE_PUNCTUATION))
                append((offset, offset + len(core)))
            else:
                spans += [(start + m.start(), start + m.end())
                          for m in WORD_PATTERN.finditer(piece)]
        start = end + 1
    return spans


_WORD_CHARACTER = re.compile(r"\w")
_WORD, _JOINER = 1, 2


@functools.cache
def _character_kinds() -> np.ndarray:
    """``_WORD`` or ``_JOINER`` (else 0) for each code point below U+10000: what a
    character is to WORD_PATTERN, decided by the regex engine itself."""
    everything = "".join(map(chr, range(0x10000)))
    words = re.sub(r"\W", "\0", everything).encode("utf-32-le", "surrogatepass")
    kinds = (np.frombuffer(words, dtype=np.uint32) != 0).astype(np.uint8)
    kinds[[ord(c) for c in "’'-"]] = _JOINER
    kinds.flags.writeable = False  # shared by every call
    return kinds


def token_bounds(texts: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Offsets of the words of many texts, found with numpy over all of them at once.

    The same words as :func:`token_spans`, for about the cost of one of its calls: the
    analyzer needs the offsets of every word of the sentences it merges terms in.

    Parameters
    ----------
    texts : list of str

    Returns
    -------
    (starts, ends, lengths)
        ``starts`` and ``ends`` are int64 arrays of shape (n_words,) holding the offsets of
        all texts' words, one text after another, each within its own text; ``lengths[i]``
        is the number of words of ``texts[i]``.
    """
    # Spaces between the texts: a word never takes one in, so none runs across two texts.
    joined = " ".join(texts)
    codes = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32)
    kinds = _character_kinds()[np.minimum(codes, 0xFFFF)]  # U+FFFF is no word character
    if not joined.isascii() and codes.max() > 0xFFFF:
        for i in np.flatnonzero(codes > 0xFFFF).tolist():  # emoji, mathematical letters
            kinds[i] = _WORD if _WORD_CHARACTER.match(joined[i]) else 0
    word = kinds == _WORD
    # A joiner belongs to a word when word characters stand on both sides of it.
    inside = np.zeros(len(codes) + 2, dtype=bool)
    inside[1:-1] = word
    if len(codes) > 2:
        inside[2:-2] |= (kinds[1:-1] == _JOINER) & word[:-2] & word[2:]
    edges = np.flatnonzero(inside[1:] != inside[:-1])
    starts, ends = edges[::2], edges[1::2]
    sizes = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts)) + 1
    offsets = np.cumsum(sizes) - sizes
    owners = np.searchsorted(offsets, starts, side="right") - 1
    shift = offsets[owners]
    return (starts - shift, ends - shift,
            np.bincount(owners, minlength=len(texts)).astype(np.int64))


def tokenize(text: str) -> list[str]:
    """Lower-cased words of ``text`` (the analyzer's one tokenizer, also used as the
    ``tokenizer`` of the scikit-learn vectorizers so training and scoring agree)."""
    return find_words(text.lower())


class WordIds(NamedTuple):
    """The tokens of some texts, one text after another, as ids in one vocabulary."""

    #: Token -> id; ids are small non-negative ints.
    vocabulary: Mapping[str, int]
    #: int64 array of shape (n_tokens,).
    ids: np.ndarray
    #: The id of tokens the vocabulary does not hold.
    unknown: int


class TokenizedTexts(tuple):
    """A tuple of texts that tokenises itself once, on first use of :attr:`tokens`.

    The sentence model's feature blocks each need :func:`tokenize` of the same
    sentences; handing them one ``TokenizedTexts`` makes that one pass instead of one
    per block. A tuple, so the tokens can never go stale. :attr:`word_ids` optionally
    carries the tokens' ids in another vocabulary (the term tagger's), which saves the
    blocks a dictionary look-up per token (see :class:`VocabularyIds`).
    """

    @classmethod
    def from_words(cls, texts, words: list[list[str]], lowered: list[str] | None = None,
                   word_ids: WordIds | None = None) -> TokenizedTexts:
        """Texts whose tokens come from their words as written (``find_words`` of each,
        which the term tagger finds anyway) instead of another tokenising pass.

        ``lowered``, all texts' words lower-cased one text after another, saves lowering
        them again; ``word_ids`` gives those lower-cased words' ids in a vocabulary.
        """
        tokenized_texts = cls(texts)
        if lowered is not None and not _has_contextual_lower("".join(texts)):
            ends = itertools.accumulate(map(len, words))
            tokens = [lowered[end - len(text_words):end]
                      for text_words, end in zip(words, ends, strict=True)]
            tokenized_texts.__dict__["_flat_tokens"] = lowered
        else:
            tokens = list(map(lowered_words, texts, words))
            # The ids, if any, are those of the words lowered one by one.
            word_ids = None
        tokenized_texts.__dict__["_tokens"] = tokens
        tokenized_texts.__dict__["_word_ids"] = word_ids
        return tokenized_texts

    @property
    def tokens(self) -> list[list[str]]:
        """``[tokenize(text) for text in self]``, computed on first use."""
        tokens = self.__dict__.get("_tokens")
        if tokens is None:
            # Two threads may both compute it; they store equal lists, so either is fine.
            tokens = self.__dict__["_tokens"] = [tokenize(text) for text in self]
        return tokens

    @property
    def flat_tokens(self) -> list[str]:
        """All texts' :attr:`tokens`, one text after another."""
        flat = self.__dict__.get("_flat_tokens")
        if flat is None:
            flat = self.__dict__["_flat_tokens"] = list(itertools.chain.from_iterable(
                self.tokens))
        return flat

    @property
    def word_ids(self) -> WordIds | None:
        """The flat tokens' ids in another vocabulary, when the texts were made with them."""
        return self.__dict__.get("_word_ids")


class VocabularyIds:
    """Ids of all tokens of some texts in one vocabulary, one text after another.

    Parameters
    ----------
    vocabulary : mapping of str -> int
    default : int
        The id of tokens outside the vocabulary.

    Looking up each token costs a dictionary probe (and hashing a fresh string) per token;
    three of the analyzer's models look up the same lower-cased words. When the texts
    carry the term tagger's ids (:attr:`TokenizedTexts.word_ids`), this vocabulary's ids
    are gathered from a table indexed by those ids, built once per other vocabulary, and
    only the words the other vocabulary lacks are looked up.
    """

    def __init__(self, vocabulary: Mapping[str, int], default: int) -> None:
        self.vocabulary = vocabulary
        self.default = default
        self._translation: tuple[Mapping[str, int], np.ndarray] | None = None

    def __call__(self, texts) -> np.ndarray:
        """int64 array of shape (n_tokens,) for ``tokenized(texts)`` chained."""
        get, default = self.vocabulary.get, self.default
        shared = texts.word_ids if isinstance(texts, TokenizedTexts) else None
        if shared is None:
            tokens = tokenized(texts)
            return np.fromiter(map(get, itertools.chain.from_iterable(tokens),
                                   itertools.repeat(default)),
                               dtype=np.int64, count=sum(map(len, tokens)))
        ids = self._table(shared)[shared.ids]
        elsewhere = np.flatnonzero(shared.ids == shared.unknown)
        if len(elsewhere):
            flat = texts.flat_tokens
            ids[elsewhere] = np.fromiter(
                map(get, map(flat.__getitem__, elsewhere.tolist()), itertools.repeat(default)),
                dtype=np.int64, count=len(elsewhere))
        return ids

    def _table(self, shared: WordIds) -> np.ndarray:
        """This vocabulary's id of each id of ``shared.vocabulary``."""
        cached = self._translation  # one read: another thread may replace it
        if cached is not None and cached[0] is shared.vocabulary:
            return cached[1]
        other = shared.vocabulary
        size = max(max(other.values(), default=-1), shared.unknown) + 1
        table = np.full(size, self.default, dtype=np.int64)
        table[np.fromiter(other.values(), dtype=np.int64, count=len(other))] = np.fromiter(
            map(self.vocabulary.get, other, itertools.repeat(self.default)),
            dtype=np.int64, count=len(other))
        self._translation = (other, table)
        return table


# str.lower() keeps every other character's length and whether it is a word character
# (tests/test_tokens.py checks all of Unicode), so the words of a lower-cased text are its
# words lower-cased, except around these two: "İ" lower-cases to two characters, and "Σ"
# to "σ" or "ς" depending on what follows it, which a word cut out of the text does not
# always show.
_CONTEXTUAL_LOWER = ("\u0130", "\u03a3")


def _has_contextual_lower(text: str) -> bool:
    return any(c in text for c in _CONTEXTUAL_LOWER)


def lowered_words(text: str, words: list[str]) -> list[str]:
    """``tokenize(text)`` from ``words = find_words(text)``, without finding them again."""
    if _has_contextual_lower(text):
        return tokenize(text)
    return list(map(str.lower, words))


def tokenized(texts) -> list[list[str]]:
    """``[tokenize(text) for text in texts]``, reusing a :class:`TokenizedTexts`' tokens."""
    if isinstance(texts, TokenizedTexts):
        return texts.tokens
    return [tokenize(text) for text in texts]
