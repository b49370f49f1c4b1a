import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from classifier import tokens
from classifier.tokens import (
    WORD_PATTERN,
    TokenizedTexts,
    VocabularyIds,
    WordIds,
    find_words,
    lowered_words,
    token_bounds,
    token_spans,
    tokenize,
    tokenized,
)

# Letters, digits, "_", the characters WORD_PATTERN keeps inside words, punctuation, odd
# whitespace and letters whose lower case is longer ("İ").
_TRICKY = st.text(
    st.sampled_from(list("aZé9٣ǅİß_'’-.,;\"“”()[]—…$% \u00a0\n\t")), max_size=40
)


@given(_TRICKY)
def test_find_words_is_the_word_pattern(text):
    assert find_words(text) == WORD_PATTERN.findall(text)
    assert tokenize(text) == WORD_PATTERN.findall(text.lower())


@pytest.mark.parametrize(
    "text, words",
    [
        ("The so-called experts don't know.", ["the", "so-called", "experts", "don't", "know"]),
        ("Trump’s 2020 bid", ["trump’s", "2020", "bid"]),
        ("", []),
        ("— … !", []),
    ],
)
def test_tokenize(text, words):
    assert tokenize(text) == words


def test_token_spans_slice_the_text():
    text = "  Wreaked havoc, then left. "
    assert [text[s:e] for s, e in token_spans(text)] == ["Wreaked", "havoc", "then", "left"]


@given(_TRICKY)
def test_token_spans_are_the_word_pattern_matches(text):
    assert token_spans(text) == [m.span() for m in WORD_PATTERN.finditer(text)]


@given(st.lists(_TRICKY, max_size=5))
def test_token_bounds_are_the_word_pattern_matches_of_each_text(texts):
    starts, ends, lengths = token_bounds(texts)
    expected = [[m.span() for m in WORD_PATTERN.finditer(text)] for text in texts]
    assert lengths.tolist() == [len(spans) for spans in expected]
    found = list(zip(starts.tolist(), ends.tolist(), strict=True))
    assert found == [span for spans in expected for span in spans]


def test_token_bounds_of_nothing():
    starts, ends, lengths = token_bounds(["", " — "])
    assert (len(starts), len(ends), lengths.tolist()) == (0, 0, [0, 0])
    assert len(token_bounds([])[2]) == 0


def test_tokenized_texts_tokenise_once(monkeypatch):
    texts = TokenizedTexts(["The so-called experts.", "", "Wreaked havoc"])
    calls = []
    monkeypatch.setattr(tokens, "tokenize", lambda text: calls.append(text) or tokenize(text))
    assert texts == ("The so-called experts.", "", "Wreaked havoc")
    assert tokenized(texts) == [["the", "so-called", "experts"], [], ["wreaked", "havoc"]]
    assert tokenized(texts) is texts.tokens
    assert len(calls) == 3


@given(st.text(st.sampled_from(list("aZé9İıΣσςΑΒ.'’- ")), max_size=30) | st.text(max_size=30))
def test_lowered_words_are_the_tokens(text):
    assert lowered_words(text, find_words(text)) == tokenize(text)


@pytest.mark.parametrize("text", ["ΟΔΟΣ.Β", "ΑΣ'Β ΑΣ", "İstanbul", "Σ", "plain words"])
def test_lowered_words_around_contextual_lower_cases(text):
    # "ΟΔΟΣ.Β".lower() keeps σ (a cased letter follows the case-ignorable "."), while
    # the word "ΟΔΟΣ" alone lower-cases to "οδος"; "İ" lower-cases to two characters.
    assert lowered_words(text, find_words(text)) == tokenize(text)


def test_lower_case_keeps_length_and_word_characters_elsewhere():
    import sys

    changed = [c for c in map(chr, range(sys.maxunicode + 1))
               if c not in tokens._CONTEXTUAL_LOWER and c.lower() != c
               and (len(c.lower()) != 1
                    or bool(WORD_PATTERN.match(c)) != bool(WORD_PATTERN.match(c.lower()))
                    or c.isalnum() != c.lower().isalnum())]
    assert changed == []


def test_tokenized_texts_from_words():
    texts = ["The so-called EXPERTS.", "", "ΟΔΟΣ.Β"]
    made = TokenizedTexts.from_words(texts, [find_words(t) for t in texts])
    assert made == tuple(texts)
    assert made.tokens == [tokenize(t) for t in texts]


def _with_word_ids(texts, vocabulary):
    """TokenizedTexts made as the analyzer makes them from the tagger's words and ids."""
    words = [find_words(t) for t in texts]
    lowered = [w.lower() for text_words in words for w in text_words]
    unknown = len(vocabulary)
    ids = np.array([vocabulary.get(w, unknown) for w in lowered], dtype=np.int64)
    return TokenizedTexts.from_words(texts, words, lowered, WordIds(vocabulary, ids, unknown))


def test_tokenized_texts_from_lowered_words_and_ids():
    texts = ["The so-called EXPERTS.", "", "Wreaked havoc, again"]
    made = _with_word_ids(texts, {"the": 0, "havoc": 1})
    assert made.tokens == [tokenize(t) for t in texts]
    assert made.flat_tokens == [w for t in texts for w in tokenize(t)]
    assert made.word_ids.ids.tolist() == [0, 2, 2, 2, 1, 2]


def test_contextual_lower_case_drops_the_ids():
    # "İ" lower-cases to two characters, so the words lowered one by one are not the tokens.
    texts = ["İSTANBUL’S mayor", "ΟΔΟΣ.Β"]
    made = _with_word_ids(texts, {"mayor": 0})
    assert made.tokens == [tokenize(t) for t in texts]
    assert made.word_ids is None


@given(st.lists(_TRICKY, max_size=6), st.sets(st.sampled_from(
    ["a", "z", "é9", "aa", "a-z", "ǆ", "ss", "_"]), max_size=6))
def test_vocabulary_ids_agree_with_a_look_up_per_token(texts, known):
    own = {word: i * 7 for i, word in enumerate(sorted(known))}  # ids need not be dense
    lookup = VocabularyIds(own, -1)
    expected = [own.get(token, -1) for text in texts for token in tokenize(text)]
    assert lookup(texts).tolist() == expected
    # Translated from another vocabulary's ids (which knows only some of the words)...
    shared = _with_word_ids(texts, {word: i for i, word in enumerate(["z", "aa", "ǆ", "b"])})
    assert lookup(shared).tolist() == expected
    # ...and from a second vocabulary: the table is rebuilt for it, not reused.
    again = _with_word_ids(texts, {"a": 0, "_": 1})
    assert lookup(again).tolist() == expected


def test_tokenized_plain_lists():
    assert tokenized(["Wreaked havoc", "A"]) == [["wreaked", "havoc"], ["a"]]


def test_edge_punctuation_holds_no_word_character():
    # find_words strips these off pieces' edges, which is only exact for non-word characters.
    assert not [c for c in tokens._EDGE_PUNCTUATION if WORD_PATTERN.match(c)]
