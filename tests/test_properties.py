"""Property-based tests of analyze(): any Unicode text gives a valid result or a documented
error, offsets slice the original text, scores are probabilities, output is deterministic."""

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from classifier import Analyzer, InputError

LIMIT = 2000

news_words = st.sampled_from(
    ["The", "council", "said", "shameful", "U.S.", "Dr.", "“", "”", '"', "'", "—", "...",
     "!", "?", "\n", "\n\n", "- ", "• ", "1.", "disastrous", "vote", "on", "Jan.", "5",
     "havoc", "wreaked", "according", "to", "police", ",", ".", "é", "中文", "\t", "   "]
)
# st.text() leaves out surrogates; a str from JSON ("\ud800") can hold a lone one.
odd_characters = st.characters(categories=["Cs", "Cc", "Cf", "Zl", "Zp"])
texts = st.one_of(
    st.text(max_size=LIMIT),
    st.lists(news_words | odd_characters, max_size=120).map("".join),
    st.lists(news_words, max_size=120).map(" ".join),
    st.lists(news_words, max_size=120).map("".join),
)


@pytest.fixture(scope="module")
def analyzer(tiny_model):
    return Analyzer(tiny_model, max_chars=LIMIT)


def check_result(text, result):
    previous_end = 0
    for i, sentence in enumerate(result.sentences):
        assert sentence.index == i
        assert previous_end <= sentence.start < sentence.end <= len(text)
        assert text[sentence.start:sentence.end] == sentence.text
        assert 0.0 <= sentence.loaded <= 1.0 and 0.0 <= sentence.stance <= 1.0
        for term in sentence.terms:
            assert text[term.start:term.end] == term.text
            assert sentence.start <= term.start < term.end <= sentence.end
            assert 0.0 <= term.score <= 1.0
        previous_end = sentence.end
    for value in (result.article.loaded, result.article.stance, result.article.loaded_share):
        assert value is None or 0.0 <= value <= 1.0
    json.dumps(result.to_dict(), ensure_ascii=False).encode("utf-8")  # no lone surrogate


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=texts)
def test_any_text_gives_a_valid_result_or_a_documented_error(analyzer, text):
    try:
        result = analyzer.analyze(text)
    except InputError as error:
        assert error.code in {"empty_text", "text_too_long", "invalid_text", "invalid_type"}
        return
    check_result(text, result)
    assert analyzer.analyze(text).to_dict() == result.to_dict()
