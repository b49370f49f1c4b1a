"""Is this text English? A cheap, deterministic guard for an English-only model.

Slant still analyses text in other languages but attaches a warning, so the check only
has to catch text that is *clearly* not English, and must never warn about an English
headline or an article full of names and numbers. Two signals:

* **Script**: the share of letters that are Latin. Russian, Greek, Arabic, Hebrew, Chinese,
  Japanese, Korean, Hindi... score near 0 here.
* **Function words**: English function words against those of French, German, Spanish,
  Italian, Portuguese and Dutch. Words that are function words in English *and* in one of
  those languages ("a", "in", "is", "die", "of", "no") are ignored, and so are single
  letters ("y", "e", "o", "i" are too common as variables and initials) and words that are
  also common English nouns or prefixes ("son", "door", "non", "com"). Foreign words only
  count in lower case, so names such as "Los Angeles", "De Gaulle" or "Van Dijk" in an
  English story are not evidence against it.

Latin-script languages not listed above (Polish, Swedish, Turkish, Indonesian...) give no
function-word evidence either way and are usually *not* flagged.
"""

from __future__ import annotations

import operator
from collections import Counter
from itertools import compress, repeat

__all__ = ["MIN_WORDS", "THRESHOLD", "english_likelihood", "is_probably_english"]

MIN_WORDS = 5
"""Texts with fewer words than this always count as English (headlines, captions)."""

THRESHOLD = 0.25
"""``is_probably_english`` is False below this likelihood."""

_ENGLISH = frozenset("""
a about above across after against all along also although am among an and another any
are around as at be because been before being below between both but by can can't could
did didn't do does doesn't doing don't down during each either every few for from further
had has hasn't have haven't having he he's her here hers herself him himself his how
however i i'm if in into is isn't it it's its itself just least less many may me might
more most much must my myself neither no nor not now of off on once only onto or other
our ours ourselves out over own per rather same shall she she's should since so some such
than that that's the their theirs them themselves then there there's these they they're
this those though through throughout to too toward towards under unless until up upon us
very via was wasn't we we're were weren't what when where whether which while who whom
whose why will with within without won't would wouldn't yet you your yours yourself
""".split())

_FOREIGN_WORDS = {
    "french": """
        au aux avec ce ces cette dans de des du elle elles en est et été eux il ils je la le
        les leur leurs lui mais même ne nous ou où pas plus pour qu que qui sa sans se ses
        sont sur très un une vous était ont avait cela comme aussi ainsi selon entre après
        depuis être
    """,
    "german": """
        aber als am auch auf aus bei bis das dass dem den der des dich dir du durch ein
        eine einem einen einer eines er es für hat hatte ich ihr im ist mit nach nicht noch
        nur oder sehr sich sie sind um und uns unter vom von vor war wir wird wurde zu zum
        zur über werden wenn wie kann können diese dieser einen nachdem sowie bereits
    """,
    "spanish": """
        algo ante como con contra cual cuando de del desde donde durante el ella ellos en
        entre es esa ese eso esta este esto estos fue ha hasta hay la las le les lo los más
        muy nada ni nos para pero por porque que qué se según ser sobre su sus también todo
        todos tras un una unos uno ya él está están han sido
    """,
    "italian": """
        alla alle anche che chi ci con da dal dalla degli dei del della delle di dopo gli
        ha hanno il la le lo loro ma nel nella nelle per perché più quale quando questa
        questo se sono sua sue suo sul sulla tra fra un una uno è stato stata essere
        ancora molto già
    """,
    "portuguese": """
        ao aos como da das de dos ela ele eles em entre essa esse esta este está foi
        isso mais mas na nas nem nos não ou para pela pelo por porque que se sem ser seu sua
        são também um uma uns é às foram tem têm já muito quando sobre após ainda
    """,
    "dutch": """
        aan als bij dan dat de deze dit een en er geen had heb heeft het hij hoe ik kan
        maar met naar niet nog ook te tot uit van voor wat wel werd wordt ze zij
        zijn zo zich omdat hebben worden tegen volgens onder
    """,
}


def _distinctive(words: frozenset[str], others: frozenset[str]) -> frozenset[str]:
    # Shared and one-letter words say nothing about which language a text is in.
    return frozenset(word for word in words - others if len(word) > 1)


_FOREIGN = {name: frozenset(words.split()) for name, words in _FOREIGN_WORDS.items()}
_ALL_FOREIGN = frozenset().union(*_FOREIGN.values())
_ENGLISH_ONLY = _distinctive(_ENGLISH, _ALL_FOREIGN)
_FOREIGN_ONLY = {name: _distinctive(words, _ENGLISH) for name, words in _FOREIGN.items()}


def _word_languages() -> dict[str, tuple[int, ...]]:
    """Word -> language ids: 0 for English, 1..n for the foreign languages in order.

    One dict lookup per distinct token; tuples because a word can belong to several
    foreign languages ("de", "que").
    """
    table: dict[str, tuple[int, ...]] = {word: (0,) for word in _ENGLISH_ONLY}
    for index, words in enumerate(_FOREIGN_ONLY.values(), start=1):
        for word in words:
            table[word] = (*table.get(word, ()), index)
    return table


_WORD_LANGUAGES = _word_languages()

# Punctuation stripped from both ends of whitespace-separated tokens. Splitting on
# whitespace and stripping each distinct token is ~5x faster than a regex tokeniser.
_EDGE_PUNCTUATION = (
    "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"
    "\u00a1\u00ab\u00bb\u00bf\u2018\u2019\u201a\u201c\u201d\u201e\u2013\u2014\u2026"
    "\u3001\u3002\u300c\u300d\u300e\u300f\uff01\uff08\uff09\uff0c\uff1a\uff1b\uff1f"
)
_MAX_TOKENS = 200  # longer texts are sampled at an even stride: same shares, bounded cost
_LATIN_RANGES = (("\u00c0", "\u024f"), ("\u1e00", "\u1eff"))
# Scripts written without spaces: a "token" is a whole clause, so count its characters.
_UNSPACED_RANGES = (("\u0e00", "\u0e7f"), ("\u3040", "\u30ff"), ("\u3400", "\u4dbf"),
                    ("\u4e00", "\u9fff"), ("\uac00", "\ud7af"))


def _in_ranges(char: str, ranges: tuple[tuple[str, str], ...]) -> bool:
    return any(low <= char <= high for low, high in ranges)


def _tokens(text: str) -> Counter[str]:
    """Counts of tokens: whitespace-separated, edge punctuation stripped, case kept."""
    raw = text.split()
    if len(raw) > _MAX_TOKENS:
        raw = raw[:: len(raw) // _MAX_TOKENS + 1]
    # map() strips every token in C; there are at most _MAX_TOKENS of them.
    tokens = Counter(map(str.replace, map(str.strip, raw, repeat(_EDGE_PUNCTUATION)),
                         repeat("\u2019"), repeat("'")))
    tokens.pop("", None)
    return tokens


def _script_counts(tokens: Counter[str]) -> tuple[int, int, int]:
    """Word count, and letters in Latin and in other scripts (judged by first letter)."""
    words, counts = list(tokens), list(tokens.values())
    firsts = list(map(operator.itemgetter(0), words))
    ascii_first = list(map(str.isascii, firsts))
    # Tokens starting with an ASCII letter, nearly all of them, are counted in C. Numbers,
    # @handles and leftover symbols give no evidence either way.
    latin_words = list(map(operator.and_, ascii_first, map(str.isalpha, firsts)))
    words_seen = sum(compress(counts, latin_words))
    latin = sum(compress(map(operator.mul, map(len, words), counts), latin_words))
    other = 0
    for token, count in compress(tokens.items(), map(operator.not_, ascii_first)):
        first = token[0]
        if not first.isalpha():
            continue
        letters = len(token) * count
        if _in_ranges(first, _LATIN_RANGES):
            latin += letters
            words_seen += count
        else:
            other += letters
            words_seen += letters if _in_ranges(first, _UNSPACED_RANGES) else count
    return words_seen, latin, other


def _function_word_hits(tokens: Counter[str]) -> tuple[int, int]:
    """Occurrences of distinctive English function words, and of the best foreign language."""
    hits = [0] * (len(_FOREIGN_ONLY) + 1)
    # Every listed word is lower case, so only lower-case tokens can be one as they are.
    for token in tokens.keys() & _WORD_LANGUAGES.keys():
        for language in _WORD_LANGUAGES[token]:
            hits[language] += tokens[token]
    # Capitalised: sentence-initial English ("The") counts, foreign particles of names
    # ("Los Angeles", "De Gaulle") do not.
    cased = list(compress(tokens, map(operator.not_, map(str.islower, tokens))))
    hits[0] += sum(compress(map(tokens.__getitem__, cased),
                            map(_ENGLISH_ONLY.__contains__, map(str.lower, cased))))
    return hits[0], max(hits[1:])


def english_likelihood(text: str) -> float:
    """Estimate how likely ``text`` is to be English, from script and function words.

    Parameters
    ----------
    text : str
        Any text. Beyond 200 tokens an evenly spaced sample of tokens is used: the
        shares need no more, and any article then costs about as much as a 200-word one
        (a few hundred microseconds).

    Returns
    -------
    float
        In [0, 1]: the share of Latin-script letters times a smoothed share of English
        among the function words found, ``(english + 1) / (english + foreign + 2)``,
        where ``foreign`` counts the best-matching other language. Text with no function
        words of any listed language gets 0.5 from the second factor. Texts of fewer than
        ``MIN_WORDS`` words get 1.0.

    Examples
    --------
    >>> english_likelihood("The council said the bridge would close on Monday.") > 0.8
    True
    >>> english_likelihood("Le conseil a fermé le pont et les habitants ne sont pas contents.")
    0.125
    """
    tokens = _tokens(text)
    words, latin, other = _script_counts(tokens)
    if words < MIN_WORDS:
        return 1.0
    english, foreign = _function_word_hits(tokens)
    return latin / (latin + other) * (english + 1) / (english + foreign + 2)


def is_probably_english(text: str) -> bool:
    """Tell whether ``text`` may be English; False only when it clearly is not.

    Parameters
    ----------
    text : str
        Any text.

    Returns
    -------
    bool
        ``english_likelihood(text) >= THRESHOLD``. Short texts, code and English with a
        foreign quotation are True; Russian, Chinese, Arabic, French, German, Spanish,
        Italian, Portuguese or Dutch prose is False.
    """
    return english_likelihood(text) >= THRESHOLD

#: English function words (shared with the term tagger, which never grows a phrase over them).
ENGLISH_FUNCTION_WORDS = _ENGLISH
