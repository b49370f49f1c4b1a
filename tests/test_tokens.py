import pytest

from classifier import tokens
from classifier.tokens import TokenizedTexts, token_spans, tokenize, tokenized


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


def test_tokenized_texts_tokenise_once(monkeypatch):
    texts = TokenizedTexts(["The so-called experts.", "", "Wreaked havoc"])
    calls = []
    monkeypatch.setattr(tokens, "tokenize", lambda text: calls.append(text) or tokenize(text))
    assert texts == ("The so-called experts.", "", "Wreaked havoc")
    assert tokenized(texts) == [["the", "so-called", "experts"], [], ["wreaked", "havoc"]]
    assert tokenized(texts) is texts.tokens
    assert len(calls) == 3


def test_tokenized_plain_lists():
    assert tokenized(["Wreaked havoc", "A"]) == [["wreaked", "havoc"], ["a"]]
