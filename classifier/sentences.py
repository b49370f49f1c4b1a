"""Sentence segmentation with exact character offsets.

:func:`split_sentences` returns ``(start, end)`` offsets into the original string, so callers
can map features back to the text without re-searching it. It is rule-based and tuned for news
copy: abbreviations, initials, datelines, headlines, bullets and hard-wrapped paragraphs.

The work happens in two steps:

1. *Chunks*: the text is cut where a sentence must end whatever the punctuation says: blank
   lines, bullet items, and single line breaks after a headline-like or short line.
2. *Sentences*: inside each chunk, runs of terminal punctuation followed by whitespace are
   candidate boundaries; a few cheap checks on the word before and after reject the ones that
   follow an abbreviation or precede a lowercase word.

Every regex is linear (possessive quantifiers, no nested repetition) so that hostile input such
as a megabyte without punctuation or 100k periods stays fast.
"""

from __future__ import annotations

import re

__all__ = ["line_blocks", "split_sentences"]

Span = tuple[int, int]
#: ``(line_start, content_start, content_end)`` of a non-blank line.
Line = tuple[int, int, int]

_PARAGRAPH_SEPARATOR = "\u2029"

_TERMINALS = ".?!…‽。！？"
_CJK_TERMINALS = "。！？"
_CLOSERS = "\"'”’»›)]}」』）"
_OPENERS = "\"'“‘«‹([{"
_QUOTES = "\"'”’»›」』"

# A terminal run (". ? ! … ?! ...") plus closing quotes/brackets, then whitespace or chunk end
# (CJK full stops need no space). The character class comes first so the engine can skip
# ahead on it; the lookbehind stops a run from being retried at each of its positions, which
# would be quadratic on "......".
_CANDIDATE = re.compile(
    r"[.?!…‽。！？](?<![.?!…‽。！？][.?!…‽。！？])[.?!…‽。！？]*+[\"'”’»›)\]}」』）]*+"
    r"(?:(?=\s)|\Z|(?<=[。！？」』）]))"
)
# What follows a candidate: leading punctuation (opening quotes, brackets) and the next word.
_NEXT = re.compile(r"\s*+([^\w\s]*+)(\w*)")
_WHITESPACE = re.compile(r"\s*+")
_FIRST_LETTER = re.compile(r"[^\w\s]*+\s*+(\w?)")
# `"Why?" Smith asked.` -- a speaker tag after a quoted question continues the sentence.
_SPEAKER_TAG = re.compile(
    r"(?:[A-Z][\w’'.-]*+\s+){0,3}(?:said|says|asked|asks|added|replied|shouted|yelled|"
    r"wrote|insisted|explained|continued|told\s+\w+)(?=\s*[.,]|\s*\Z)"
)
_CLAUSE_END = _TERMINALS + ":;"
_NO_BREAK_AFTER = _TERMINALS + ",;-–—(/&"
_BULLET_FIRST = "-–*•·‣◦▪●○■□"
_DOTTED = re.compile(r"(?:[A-Za-z]{1,2}\.)+[A-Za-z]{1,2}")
_BULLET = re.compile(r"(?:(?P<dash>[-–])|[*•·‣◦▪●○■□]|\d{1,3}[.)])\s+(?=\S)")
_TOKEN = re.compile(r"\S+")

# Abbreviations that never end a sentence (titles, Latin connectives).
_NEVER_FINAL = frozenset(
    "mr mrs ms messrs mmes dr drs prof profs gen gens sen sens rep reps gov govs cong lt col "
    "capt cmdr adm maj brig sgt cpl pvt rev hon pres supt det insp atty fr mt ft vs v e.g i.e "
    "cf viz approx".split()
)
# Abbreviations that only precede a number: "No. 5", "Vol. 2", "p. 14".
_BEFORE_NUMBER = frozenset("no nos vol vols fig figs p pp art sec ch op".split())
# Abbreviations that may end a sentence; they do only when a typical sentence opener follows.
_AMBIGUOUS = frozenset(
    "inc corp ltd co jr sr etc st ave blvd rd bros dept univ assn est al "
    "jan feb mar apr jun jul aug sep sept oct nov dec".split()
)
# Words that end a line inside a sentence but never end a sentence.
_CONTINUERS = frozenset("the a an of to and or nor but in for with on at by from that as".split())
# Words that start sentences far more often than they follow "U.S." or "Inc." mid-sentence.
_STARTERS = frozenset(
    "the a an he she it they we i you his her its their our my your this that these those "
    "there here but and or so yet in on at for by with from after before as if when while "
    "since although though because however meanwhile still also then now some many most all "
    "both each no not what who why how where which one two three nobody nothing none everyone "
    "everybody someone only even just today yesterday last other another such during despite "
    "until unless whether instead indeed".split()
)


def split_sentences(text: str) -> list[Span]:
    """Split news text into sentences.

    Parameters
    ----------
    text : str
        Any text; line endings, tabs, non-breaking spaces and non-Latin scripts are fine.

    Returns
    -------
    list of tuple of (int, int)
        ``(start, end)`` character offsets of each sentence, in order. ``text[start:end]`` is
        the sentence without surrounding whitespace; spans never overlap and are never empty.
        Bullet markers ("- ", "• ", "1. ") are left out of the span of their item.

    Examples
    --------
    >>> text = 'WASHINGTON (Reuters) - Dr. Smith left the U.S. on Jan. 5. "No," he said.'
    >>> [text[s:e] for s, e in split_sentences(text)]
    ['WASHINGTON (Reuters) - Dr. Smith left the U.S. on Jan. 5.', '"No," he said.']
    """
    spans: list[Span] = []
    for start, end in _chunks(text):
        _split_chunk(text, start, end, spans)
    return spans


def line_blocks(text: str) -> list[list[Line]]:
    """Group the non-blank lines of a text into blocks separated by blank lines.

    Parameters
    ----------
    text : str
        Any text. Line breaks are those of :meth:`str.splitlines` (``\\r\\n``, ``\\u2028``...);
        a blank line or a paragraph separator (``\\u2029``) ends a block.

    Returns
    -------
    list of list of tuple of (int, int, int)
        For each block, its lines as ``(line_start, content_start, content_end)``: where the
        line starts, and where its text starts and ends without surrounding whitespace.
    """
    blocks: list[list[Line]] = []
    block: list[Line] = []
    line_start = 0
    for line in text.splitlines(keepends=True):
        stripped = line.strip()
        if stripped:
            # The first occurrence of the first visible character is where it starts.
            content_start = line_start + line.find(stripped[0])
            block.append((line_start, content_start, content_start + len(stripped)))
        line_start += len(line)
        if block and (not stripped or line[-1] == _PARAGRAPH_SEPARATOR):
            blocks.append(block)
            block = []
    if block:
        blocks.append(block)
    return blocks


def _chunks(text: str) -> list[Span]:
    """Cut the text where sentences must end regardless of punctuation."""
    chunks: list[Span] = []
    for block in line_blocks(text):
        _chunk_block(text, block, chunks)
    return chunks


def _chunk_block(text: str, block: list[Line], chunks: list[Span]) -> None:
    """Append the chunks of one block of non-blank lines (a blank line always ends a chunk)."""
    if len(block) == 1:  # the usual case: one paragraph per line
        _, content_start, content_end = block[0]
        bullet = _bullet(text, content_start, content_end)
        chunks.append((bullet.end() if bullet else content_start, content_end))
        return
    # The longest line approximates the wrap width of hard-wrapped text.
    lengths = [content_end - line_start for line_start, _, content_end in block]
    width = max(lengths)
    longest_first_line = lengths[0] > max(lengths[1:])
    chunk_start = -1
    previous = None
    previous_bullet = in_list = False
    for line in block:
        _, content_start, content_end = line
        bullet = _bullet(text, content_start, content_end)
        if bullet and bullet.group("dash") and previous and not in_list:
            # A dash opening a wrapped line is usually punctuation, not a list item.
            bullet = bullet if _ends_clause(text, previous) else None
        item_start = bullet.end() if bullet else content_start
        if previous is None:
            chunk_start = item_start
        elif bullet or _is_hard_break(
            text, previous, line, width, previous_bullet, longest_first_line and line is block[1]
        ):
            chunks.append((chunk_start, previous[2]))
            chunk_start = item_start
            in_list = False
        previous = line
        previous_bullet = bullet is not None
        in_list = in_list or previous_bullet
    chunks.append((chunk_start, previous[2]))


def _bullet(text: str, start: int, end: int) -> re.Match[str] | None:
    """Match a bullet marker and the space after it at ``start``."""
    first = text[start]
    if first in _BULLET_FIRST or first.isdecimal():  # skip the regex for ordinary lines
        return _BULLET.match(text, start, end)
    return None


def _last_significant(text: str, start: int, end: int) -> str:
    """Return the last character of ``text[start:end]`` that is not a closing quote/bracket."""
    while end > start and text[end - 1] in _CLOSERS:
        end -= 1
    return text[end - 1] if end > start else ""


def _ends_clause(text: str, line: Line) -> bool:
    """Whether a line ends with terminal punctuation, a colon or a semicolon."""
    return _last_significant(text, line[1], line[2]) in _CLAUSE_END


def _is_hard_break(
    text: str,
    previous: Line,
    line: Line,
    width: int,
    previous_bullet: bool,
    longest_first_line: bool,
) -> bool:
    """Whether the single line break between two non-blank lines ends a sentence."""
    line_start, content_start, content_end = previous
    # Terminal punctuation: leave the decision to the punctuation rules. Commas and dashes
    # ("WASHINGTON --") announce that the sentence goes on.
    if _last_significant(text, content_start, content_end) in _NO_BREAK_AFTER:
        return False
    first = text[line[1]]
    if not first.isalnum():  # look past quotes and dashes: `"the`, `- which`
        first = _FIRST_LETTER.match(text, line[1], line[2]).group(1)
    if first.islower():
        return False  # wrapping inside a sentence
    if previous_bullet:
        return True
    # A line ending in "the", "of", "and"... is inside a sentence.
    tail = text[max(content_start, content_end - 6) : content_end].split()
    complete = len(tail) > 1 or content_end - content_start <= 6
    if complete and tail[-1].lower() in _CONTINUERS:
        return False
    # If the next word would have fitted on this line, a wrapper did not break it here.
    next_word = _TOKEN.match(text, line[1], line[2]).end() - line[1]
    if content_end - line_start + 1 + next_word <= width:
        return True
    return _looks_like_headline(text[content_start:content_end].split(), longest_first_line)


def _looks_like_headline(words: list[str], longest_first_line: bool) -> bool:
    """ALL CAPS, or Title Case on a first line longer than the rest of its block.

    Wrapped news lines are often full of capitalised names, so Title Case alone is not enough:
    the line must also be too long to come from the wrapping of the lines below it.
    """
    alphabetic = [word for word in words if word[0].isalpha()]
    if len(alphabetic) < 2 or len(words) > 20:
        return False
    if all(word.isupper() for word in alphabetic):
        return True
    long_words = [word for word in alphabetic if len(word) > 3]
    return (
        longest_first_line
        and len(long_words) >= 2
        and all(word[0].isupper() and "," not in word for word in long_words)
    )


def _split_chunk(text: str, start: int, end: int, spans: list[Span]) -> None:
    """Append the sentences of ``text[start:end]``, which starts and ends on non-space."""
    sentence_start = start
    for match in _CANDIDATE.finditer(text, start, end):
        boundary = match.end()
        if boundary >= end:
            break
        if _is_boundary(text, match, sentence_start, end):
            spans.append((sentence_start, boundary))
            sentence_start = _WHITESPACE.match(text, boundary, end).end()
    if sentence_start < end:
        spans.append((sentence_start, end))


def _is_boundary(text: str, match: re.Match[str], sentence_start: int, end: int) -> bool:
    """Decide whether a candidate (terminal punctuation + whitespace) ends a sentence."""
    found = match.group()
    close_start = len(found.rstrip(_CLOSERS))
    term, close = found[:close_start], found[close_start:]
    if term[-1] in _CJK_TERMINALS:
        return True
    following = _NEXT.match(text, match.end(), end)
    punctuation, word = following.groups()
    if not word or word[0].islower():
        # "e.g. the", "Yahoo! announced", "... and", ". . ." all continue the sentence.
        return False
    if close and term[-1] in "?!" and any(mark in _QUOTES for mark in close):
        return not _SPEAKER_TAG.match(text, following.start(2), end)
    if term != "." or close:
        return True
    kind = _abbreviation_kind(_previous_token(text, sentence_start, match.start()))
    if kind is None:
        return True
    if kind == "never":
        return False
    if kind == "number":
        return not word[0].isdigit()
    # Ambiguous ("U.S.", "Inc.", "J."): split only before a typical sentence opener.
    opens_quote = bool(punctuation) and punctuation[0] in _OPENERS and punctuation[0] != "("
    return opens_quote or word.lower() in _STARTERS


def _previous_token(text: str, start: int, end: int) -> str:
    """Return the word right before ``end`` without leading quotes or brackets."""
    # 32 characters cover every abbreviation; longer tokens (URLs) are never abbreviations.
    window = text[max(start, end - 32) : end]
    if not window or window[-1].isspace():
        return ""
    return window.rsplit(maxsplit=1)[-1].lstrip(_OPENERS)


def _abbreviation_kind(token: str) -> str | None:
    """Classify the token before a period: ``never``, ``number``, ``ambiguous`` or ``None``."""
    lowered = token.lower()
    if lowered in _NEVER_FINAL:
        return "never"
    if lowered in _BEFORE_NUMBER:
        return "number"
    if lowered in _AMBIGUOUS:
        return "ambiguous"
    if len(token) == 1 and token.isalpha():
        return "ambiguous"  # an initial: "George W. Bush"
    if "." in token and _DOTTED.fullmatch(token):
        return "ambiguous"  # "U.S", "D.C", "a.m", "Ph.D"
    return None
