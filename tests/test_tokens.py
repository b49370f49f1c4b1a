import pytest
from hypothesis import given
from hypothesis import strategies as st

from classifier import tokens
from classifier.tokens import (
    WORD_PATTERN,
    TokenizedTexts,
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


def test_tokenized_plain_lists():
    assert tokenized(["Wreaked havoc", "A"]) == [["wreaked", "havoc"], ["a"]]


def test_edge_punctuation_holds_no_word_character():
    # find_words strips these off pieces' edges, which is only exact for non-word characters.
    assert not [c for c in tokens._EDGE_PUNCTUATION if WORD_PATTERN.match(c)]
