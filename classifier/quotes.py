"""Quoted speech: which characters are a source's words rather than the outlet's voice.

:func:`find_quotations` returns the spans between quotation marks (marks included);
:func:`is_attributed` spots reported speech ("the minister said ...", "according to police").

Policy for a sentence's ``quoted`` flag (:func:`sentence_is_quoted`): a sentence is quoted when
at least half of its letters and digits lie inside quotation marks, scare quotes (at most three
words, no sentence punctuation, e.g. so-called “experts”) not counting; or when it is attributed
speech ("according to X" always; "Y, officials said" always; "X said Y" when the reported part,
Y plus any quoted words, has at least as many words as the writer's own framing, such as a long
description of X; in `"Y," said X` only X's lower-case content words count as framing, so a
name and affiliation do not outweigh a short quote but "the tired and bitter former minister"
does).
"""

from __future__ import annotations

import re
import sys
from bisect import bisect_right
from collections.abc import Iterator, Sequence
from itertools import compress, count, islice

from .language import ENGLISH_FUNCTION_WORDS
from .sentences import line_blocks

__all__ = [
    "REPORTING_VERBS",
    "SCARE_QUOTE_MAX_WORDS",
    "find_quotations",
    "is_attributed",
    "is_inside",
    "quoted_flags",
    "quoted_fraction",
    "sentence_is_quoted",
]

Span = tuple[int, int]

#: Quotations of at most this many words, without sentence punctuation, are scare quotes.
SCARE_QUOTE_MAX_WORDS = 3
# Longer quotations are never scare quotes; the bound also keeps the check cheap.
_SCARE_QUOTE_MAX_CHARS = 80
# Lines longer than this are paragraphs of their own, not hard-wrapped lines.
_UNWRAPPED_LINE = 100

# Double marks always; single marks unless between two word characters (apostrophes: don’t).
_MARKS = re.compile(r"[\"“”„«»'‘’](?:(?<=[\"“”„«»])|(?<!\w.)|(?!\w))")
_DOUBLE_OPENING = "“„"
_SINGLE = "'‘’"
# Characters after which a mark opens a quotation, and before which it closes one.
_BEFORE_OPENING = "([{<“‘—–-/"
_AFTER_CLOSING = ".,;:!?)]}>”’\"'—–-…/"
_UTTERANCE_PUNCTUATION = re.compile(r"[.,;:!?…]")
_NON_ASCII = re.compile(r"[^\x00-\x7f]")
_ASCII_NON_ALNUM = bytes(b for b in range(128) if not chr(b).isalnum())
_TOKEN = re.compile(r"\S+")
_AFTER_ALL = sys.maxsize

# Reporting verbs whose past form is rarely an adjective; they may follow "Smith, 45, said".
_STRONG_VERBS = frozenset(
    """said says told tells added adds wrote writes tweeted tweets insisted insists warned warns
    argued argues explained explains asked asks replied replies responded responds testified
    testifies admitted admits conceded concedes contended contends stressed stresses
    acknowledged acknowledges asserted asserts declared declares quipped vowed vows recalled
    recalls complained complains countered cautioned cautions emphasized emphasizes emphasised
    emphasises maintained maintains remarked observed predicted predicts urged urges""".split()
)
# Reporting verbs that double as adjectives or nouns ("the alleged crime", "his claims").
_WEAK_VERBS = frozenset(
    """stated states claimed claims alleged alleges announced announces noted notes suggested
    suggests reported reports confirmed confirms denied denies believed believes accused accuses
    charged charges concluded concludes promised promises pledged pledges blamed blames
    described describes posted""".split()
)
# Bare present forms need a plural or pronoun source: "officials say", "critics argue".
_BASE_VERBS = frozenset(
    """say argue claim warn insist contend believe suggest allege maintain note acknowledge admit
    predict complain tell write report charge fear concede estimate""".split()
)
#: Verbs that report someone's speech or claim (used by :func:`is_attributed`).
REPORTING_VERBS = _STRONG_VERBS | _WEAK_VERBS | _BASE_VERBS
_CUES = frozenset(
    word + tail
    for word in REPORTING_VERBS | {"according", "According", "citing", "Citing"}
    for tail in ("", ",", ".", ":", ";")
)
# Words that cannot be the source right before a reporting verb ("the alleged", "was said").
# "I" and "we" are the writer's own voice.
_NOT_SOURCE = frozenset(
    """the a an this that these those is was were are am be been being its his her their our my
    your to will would could should can may might must not never as than of for with by in on
    at from into so-called well no i we you it's newly widely""".split()
)
# Words that may sit between the source and the verb: "he also said", "she had previously said".
_BETWEEN = frozenset("also then later again once previously has have had just".split())
_PLURAL_SOURCES = frozenset("they people police".split())
# "according to plan" is not an attribution.
_NOT_SOURCES_OF_ACCORDING = frozenset(
    "plan plans schedule script tradition law rules rule custom data".split()
)
_TRAILING = ".,;:!?"
_CLOSING_QUOTES = "\"”’'"


def find_quotations(text: str) -> list[Span]:
    """Find quoted material in a whole text.

    Double quotes (curly and straight) pair up within a paragraph, across sentences. Single
    quotes count only when clearly used as quotation marks (opening after whitespace, closing
    before whitespace or punctuation), so apostrophes ("don’t", "the ’90s", "Jones’ car") are
    ignored; an unclosed single quote is dropped. An unclosed double quote runs to the end of
    its paragraph (a multi-paragraph quote reopens each paragraph with a new opening mark).
    Scare quotes around a few words are returned as well; callers decide what they mean.

    Parameters
    ----------
    text : str
        The whole article. Blank lines separate paragraphs; so do single line breaks when the
        lines are too long to be hard-wrapped.

    Returns
    -------
    list of tuple of (int, int)
        Sorted, non-overlapping ``(start, end)`` spans including the quotation marks.

    Examples
    --------
    >>> text = '“This is bad. We will fight,” he said of the ‘plan’.'
    >>> [text[s:e] for s, e in find_quotations(text)]
    ['“This is bad. We will fight,”', '‘plan’']
    """
    spans: list[Span] = []
    for start, end in _paragraphs(text):
        _quotations_in(text, start, end, spans)
    return _merge(spans)


def is_inside(spans: Sequence[Span], start: int, end: int) -> bool:
    """Tell whether ``[start, end)`` lies within one of the spans.

    Parameters
    ----------
    spans : sequence of tuple of (int, int)
        Sorted, non-overlapping spans, as returned by :func:`find_quotations`.
    start, end : int
        The range to test, ``start <= end``.

    Returns
    -------
    bool
        True when a single span contains the whole range.
    """
    index = bisect_right(spans, (start, _AFTER_ALL)) - 1
    return index >= 0 and end <= spans[index][1]


def quoted_fraction(spans: Sequence[Span], start: int, end: int, text: str) -> float:
    """Share of the letters and digits of ``text[start:end]`` that lie inside the spans.

    Parameters
    ----------
    spans : sequence of tuple of (int, int)
        Sorted, non-overlapping spans, as returned by :func:`find_quotations`.
    start, end : int
        The range to measure, usually a sentence.
    text : str
        The text the offsets refer to.

    Returns
    -------
    float
        Between 0 and 1; 0 when the range holds no letters or digits.
    """
    total = _count_alnum(text, start, end)
    if not total:
        return 0.0
    inside = sum(_count_alnum(text, s, e) for s, e in _clipped(spans, start, end))
    return inside / total


def is_attributed(sentence: str) -> bool:
    """Tell whether a sentence reports someone else's speech or claim.

    A reporting verb (:data:`REPORTING_VERBS`) must be tied to a source:
    ``The minister said the plan failed.``, ``"We will win," she said.``, or the sentence
    cites one: ``According to police, the suspect fled.`` Adjectival uses ("the alleged
    fraud", "his stated goal"), passives ("it was said") and the writer's own "I"/"we" do
    not count.

    Parameters
    ----------
    sentence : str
        One sentence.

    Returns
    -------
    bool
        True when the sentence attributes its content to a source.
    """
    return _attribution(sentence.split()) is not None


def sentence_is_quoted(text: str, start: int, end: int, spans: Sequence[Span]) -> bool:
    """Decide a sentence's ``quoted`` flag (the policy is in the module docstring).

    Parameters
    ----------
    text : str
        The whole article.
    start, end : int
        Offsets of the sentence in ``text``.
    spans : sequence of tuple of (int, int)
        Quotations in ``text``, as returned by :func:`find_quotations`.

    Returns
    -------
    bool
        True when the sentence is mostly quoted, or mostly attributed speech.
    """
    return _is_quoted(text, start, end, _overlapping(spans, start, end) if spans else [])


def quoted_flags(text: str, sentences: Sequence[Span], spans: Sequence[Span]) -> list[bool]:
    """``[sentence_is_quoted(text, start, end, spans) for start, end in sentences]``, with
    the quotations of all sentences found in one pass over both sorted lists.

    Parameters
    ----------
    text : str
        The whole article.
    sentences : sequence of tuple of (int, int)
        Its sentences, sorted and disjoint.
    spans : sequence of tuple of (int, int)
        Quotations in ``text``, as returned by :func:`find_quotations`.
    """
    flags = []
    first = 0  # the first quotation that does not end before the current sentence
    for start, end in sentences:
        # Disjoint and sorted by start, the quotations are sorted by end too, so those
        # overlapping a sentence are consecutive.
        while first < len(spans) and spans[first][1] <= start:
            first += 1
        last = first
        while last < len(spans) and spans[last][0] < end:
            last += 1
        flags.append(_is_quoted(text, start, end, spans[first:last]))
    return flags


def _is_quoted(text: str, start: int, end: int, quotes: Sequence[Span]) -> bool:
    """:func:`sentence_is_quoted` given the quotations that overlap the sentence."""
    # Most sentences have no quotation marks, and most of those no reporting verb.
    if quotes:
        inside = sum(
            _count_alnum(text, max(s, start), min(e, end))
            for s, e in quotes
            if not _is_scare_quote(text, s, e)
        )
        if inside and 2 * inside >= _count_alnum(text, start, end):
            return True
    words = text[start:end].split()
    found = _attribution(words)
    if found is None:
        return False
    kind, index = found
    if kind == "according":
        return True
    before, after = index, len(words) - index - 1
    quoted_before = quoted_after = 0
    if quotes:
        verb = next(islice(_TOKEN.finditer(text, start, end), index, None))
        quoted_before = sum(_count_words(text, s, e)
                            for s, e in _clipped(quotes, start, verb.start()))
        quoted_after = sum(_count_words(text, s, e)
                           for s, e in _clipped(quotes, verb.end(), end))
    if kind == "inverted":  # `"...," said the minister, who ...`
        # Only the writer's own descriptive words after the verb count as framing: names,
        # titles and function words ("Dr. Ann Lee of the U.S. Chamber") do not.
        framing = sum(
            1 for word in words[index + 1:]
            if word[:1].islower() and word.strip(_TRAILING).lower() not in ENGLISH_FUNCTION_WORDS
        )
        return before > 0 and before >= framing - quoted_after
    if after == 0:  # `The bridge will close, officials said.`: what precedes is reported
        return True
    # `The minister said ...`
    reported, framing = after + quoted_before, before - quoted_before
    return reported > 0 and reported >= framing


def _attribution(words: list[str]) -> tuple[str, int] | None:
    """Return the kind of the first attribution and the index of its cue word, or None."""
    if _CUES.isdisjoint(words):  # the usual case, decided in C
        return None
    # Only the cue words are visited (found in C).
    for index in compress(count(), map(_CUES.__contains__, words)):
        kind = _attribution_kind(words, index)
        if kind is not None:
            return kind, index
    return None


def _attribution_kind(words: list[str], index: int) -> str | None:
    """Classify the cue at ``words[index]``: ``according``, ``inverted``, ``forward`` or None."""
    cue = words[index].rstrip(_TRAILING)
    following = [word.strip(_TRAILING).lower() for word in words[index + 1 : index + 4]]
    if cue in ("according", "According"):
        if following[:1] != ["to"]:
            return None
        source = "".join(following[2:3] if following[1:2] == ["the"] else following[1:2])
        return None if source in _NOT_SOURCES_OF_ACCORDING else "according"
    if cue in ("citing", "Citing"):
        return "according" if following else None
    # "said to be" and "announced by" are passives, not reported speech.
    if following[:1] == ["to"] or (cue in _WEAK_VERBS and following[:1] == ["by"]):
        return None
    if index == 0:
        return None
    previous = words[index - 1]
    if cue in _STRONG_VERBS and previous[-1] in _CLOSING_QUOTES:
        return "inverted"  # `"We will win," said Smith.`
    position = index - 1
    while position > 0 and index - position <= 2 and _is_between(words[position]):
        position -= 1
    source = words[position]
    if source.endswith(",") and cue in _STRONG_VERBS:
        source = source[:-1]  # "John Smith, a spokesman, said"
    source = source.lstrip("\"“‘'(").rstrip(").")  # "(D-N.Y.) said", "the U.S. said"
    lowered = source.lower()
    if not source or not source[-1].isalnum() or lowered in _NOT_SOURCE:
        return None
    if lowered.endswith(("'s", "’s")):
        return None  # a possessive: "Apple's announced plan"
    if cue in _BASE_VERBS and lowered not in _PLURAL_SOURCES and not lowered.endswith("s"):
        return None  # "the budget report", but "officials report"
    return "forward"


def _is_between(word: str) -> bool:
    """Whether a word may sit between a source and its verb ("he also said")."""
    return word in _BETWEEN or (word.islower() and word.endswith("ly") and word != "family")


def _is_scare_quote(text: str, start: int, end: int) -> bool:
    """A few words without sentence punctuation: “experts”, not “No,” or “Never again.”"""
    if end - start > _SCARE_QUOTE_MAX_CHARS:
        return False
    quotation = text[start:end]
    return (
        len(quotation.split()) <= SCARE_QUOTE_MAX_WORDS
        and _UTTERANCE_PUNCTUATION.search(quotation) is None
    )


def _overlapping(spans: Sequence[Span], start: int, end: int) -> list[Span]:
    """Return the spans that overlap ``[start, end)``, unclipped."""
    # Tuples compare in C: (start, _AFTER_ALL) sorts after every span starting at `start`.
    index = max(bisect_right(spans, (start, _AFTER_ALL)) - 1, 0)
    found = []
    for position in range(index, len(spans)):
        span = spans[position]
        if span[0] >= end:
            break
        if span[1] > start:
            found.append(span)
    return found


def _clipped(spans: Sequence[Span], start: int, end: int) -> Iterator[Span]:
    """Yield the parts of the spans that fall inside ``[start, end)``."""
    for s, e in _overlapping(spans, start, end):
        yield max(s, start), min(e, end)


def _count_alnum(text: str, start: int, end: int) -> int:
    """Count letters and digits (``str.isalnum``) in ``text[start:end]``."""
    if start >= end:
        return 0
    chunk = text[start:end]
    # bytes.translate deletes the ASCII non-alphanumerics in C, far faster than a regex; the
    # few non-ASCII characters (curly quotes, accented letters) are checked one by one.
    ascii_part = chunk.encode("ascii", "ignore")
    count = len(ascii_part.translate(None, _ASCII_NON_ALNUM))
    if len(ascii_part) < len(chunk):
        count += sum(map(str.isalnum, _NON_ASCII.findall(chunk)))
    return count


def _count_words(text: str, start: int, end: int) -> int:
    return len(text[start:end].split()) if start < end else 0


def _paragraphs(text: str) -> list[Span]:
    """Return the stripped paragraphs that bound quotations.

    Blank lines separate blocks. A block of hard-wrapped lines is one paragraph; in a block
    with long lines (one paragraph per line, as pasted from the web) each line is one.
    """
    paragraphs: list[Span] = []
    for block in line_blocks(text):
        if len(block) > 1 and max(e - s for s, _, e in block) <= _UNWRAPPED_LINE:
            paragraphs.append((block[0][1], block[-1][2]))
        else:
            paragraphs.extend((start, end) for _, start, end in block)
    return paragraphs


def _quotations_in(text: str, start: int, end: int, spans: list[Span]) -> None:
    """Append the quotations of one paragraph."""
    double_open = single_open = fallback = -1
    for match in _MARKS.finditer(text, start, end):
        index = match.start()
        mark = text[index]
        before = text[index - 1] if index > start else " "
        after = text[index + 1] if index + 1 < end else " "
        opens_here = before.isspace() or before in _BEFORE_OPENING
        if mark not in _SINGLE:
            opening = opens_here and not after.isspace()
            closing = not opens_here and (after.isspace() or after in _AFTER_CLOSING)
            if mark == '"':  # straight: context decides; when it cannot, alternate
                role = "open" if opening and not closing else "close" if closing else "either"
            elif mark in "«»":  # guillemets: the glyph decides (French puts spaces inside)
                role = "open" if mark == "«" else "close"
            elif mark in _DOUBLE_OPENING:  # curly: the glyph decides unless context contradicts
                role = "close" if closing and not opening else "open"
            else:
                role = "open" if opening and not closing else "close"
            if double_open < 0:
                if role != "close":  # a stray closing mark is ignored
                    double_open = index
            elif role != "open":  # a second opening mark continues the same quotation
                spans.append((double_open, index + 1))
                double_open = -1
        elif mark != "’" and (opens_here or before in "\"“"):
            # An opening single mark; "'90s" is an elision, not a quotation.
            if single_open < 0 and not after.isspace() and not after.isdigit():
                single_open, fallback = index, -1
        elif (
            single_open >= 0
            and mark != "‘"
            and not before.isspace()
            and (after.isspace() or after in _AFTER_CLOSING)
        ):
            next_after = text[index + 2] if index + 2 < end else " "
            if before in "sSzZ" and after.isspace() and next_after.isalnum():
                # "Jones’ car": maybe a possessive; keep it in case no better closing mark comes.
                fallback = index if fallback < 0 else fallback
            else:
                spans.append((single_open, index + 1))
                single_open = fallback = -1
    if double_open >= 0:
        spans.append((double_open, end))  # unclosed: runs to the end of the paragraph
    if single_open >= 0 and fallback >= 0:
        spans.append((single_open, fallback + 1))


def _merge(spans: list[Span]) -> list[Span]:
    """Sort spans and merge overlapping or nested ones."""
    merged: list[Span] = []
    for start, end in sorted(spans):
        if merged and start < merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged
