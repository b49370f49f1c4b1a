import pytest

from classifier.tokens import token_spans, tokenize


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
