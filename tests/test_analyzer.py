import json

import pytest

from classifier import (
    AnalysisResult,
    Analyzer,
    EmptyTextError,
    InvalidTextError,
    InvalidTypeError,
    ModelError,
    TextTooLongError,
    validate_text,
)

ARTICLE = """Council closes bridge

PORT AVERLY (Wire) - The council voted on Tuesday to close the bridge, officials said.
The shameful decision was a disastrous blow for the town. "This is a barbaric plan," said
Dr. Ann Lee of the U.S. Chamber. Repairs will cost $14.2 million.
"""


@pytest.fixture(scope="module")
def analyzer(tiny_model):
    return Analyzer(tiny_model)


@pytest.fixture(scope="module")
def result(analyzer) -> AnalysisResult:
    return analyzer.analyze(ARTICLE, title="A shameful day")


def test_offsets_slice_the_submitted_text(result):
    assert result.sentences
    for i, sentence in enumerate(result.sentences):
        assert sentence.index == i
        assert ARTICLE[sentence.start:sentence.end] == sentence.text
        for term in sentence.terms:
            assert ARTICLE[term.start:term.end] == term.text
            assert sentence.start <= term.start < term.end <= sentence.end


def test_scores_are_probabilities(result):
    for sentence in result.sentences:
        assert 0 <= sentence.loaded <= 1 and 0 <= sentence.stance <= 1
        assert all(0 <= t.score <= 1 and t.polarity in {"positive", "negative"}
                   for t in sentence.terms)


def test_loaded_sentence_outscores_the_neutral_one(result):
    by_text = {s.text.split()[0]: s for s in result.sentences}
    assert by_text["The"].loaded > by_text["Repairs"].loaded
    assert "shameful" in [t.text for s in result.sentences for t in s.terms]


def test_quoted_speech_is_flagged_and_excluded_from_the_author_voice(result):
    quoted = [s for s in result.sentences if s.quoted]
    # A direct quote, and a report closed by "officials said".
    assert [s.text[:6] for s in quoted] == ["PORT A", '"This ']
    assert all(t.quoted for t in quoted[1].terms)
    article = result.article
    assert article.quoted_sentences == 2
    assert article.author_sentences == len(result.sentences) - 2
    author = [s.loaded for s in result.sentences if not s.quoted]
    assert article.loaded == pytest.approx(sum(author) / len(author), abs=1e-4)
    assert article.quoted_loaded == pytest.approx((quoted[0].loaded + quoted[1].loaded) / 2,
                                                  abs=1e-4)


def test_padded_title_offsets_index_the_title(analyzer):
    title = "  A shameful day!  "
    scored = analyzer.analyze("The board met.", title=title).title
    assert title[scored.start:scored.end] == scored.text == "A shameful day!"
    assert all(title[t.start:t.end] == t.text for t in scored.terms)


def test_title_is_scored_separately(result):
    assert result.title.text == "A shameful day"
    assert result.title.start == 0 and result.title.end == len("A shameful day")
    assert "shameful" in [t.text for t in result.title.terms]


def test_to_dict_is_json_and_has_the_schema(result):
    data = json.loads(json.dumps(result.to_dict()))
    assert set(data) == {"model", "title", "sentences", "article", "warnings"}
    assert set(data["model"]) == {"name", "version", "trained_on"}
    sentence = data["sentences"][0]
    assert set(sentence) == {"index", "start", "end", "text", "loaded", "stance", "quoted",
                             "terms", "readability"}
    assert set(sentence["readability"]) >= {"flesch_reading_ease", "flesch_kincaid_grade",
                                            "words", "syllables"}
    article = data["article"]
    assert set(article) == {"loaded", "stance", "loaded_share", "sentences", "author_sentences",
                            "quoted_sentences", "quoted_loaded", "top_terms", "readability"}
    assert set(article["readability"]) >= {
        "flesch_reading_ease", "flesch_kincaid_grade", "gunning_fog", "smog_index",
        "coleman_liau_index", "automated_readability_index", "dale_chall_readability_score",
        "text_standard", "reading_time_seconds", "words", "sentences"}
    assert article["readability"]["sentences"] == len(data["sentences"])


def test_top_terms_count_repeats(analyzer):
    result = analyzer.analyze("A shameful vote. Another shameful vote. The board met.")
    top = result.article.top_terms
    assert top[0]["text"] == "shameful" and top[0]["count"] == 2


def test_top_terms_group_case_insensitively():
    from classifier.analyzer import _top_terms
    from classifier.results import SentenceResult, Term

    def sentence(*terms):
        return SentenceResult(0, 0, 1, "x", 0.5, 0.5, False, list(terms))

    top = _top_terms([
        sentence(Term(0, 8, "Shameful", 0.6, "negative", False)),
        sentence(Term(0, 8, "shameful", 0.8, "negative", True), Term(9, 12, "bad", 0.9,
                                                                      "negative", False)),
    ])
    assert top == [
        {"text": "Shameful", "count": 2, "quoted": 1, "score": 0.8, "polarity": "negative"},
        {"text": "bad", "count": 1, "quoted": 0, "score": 0.9, "polarity": "negative"},
    ]


def test_options_drop_readability_and_terms(analyzer):
    result = analyzer.analyze(ARTICLE, readability=False, terms=False)
    assert all(s.readability is None and s.terms == [] for s in result.sentences)
    assert result.article.readability is None and result.article.top_terms == []
    # The stacked scores still see the tagger's strongest word.
    full = analyzer.analyze(ARTICLE)
    assert ([(s.loaded, s.stance) for s in result.sentences]
            == [(s.loaded, s.stance) for s in full.sentences])


def test_explain_names_terms_and_features(analyzer):
    result = analyzer.analyze("The shameful decision was a disaster.", explain=True)
    explain = result.sentences[0].explain
    assert set(explain) == {"terms", "loaded", "stance"}
    assert explain["loaded"] and {"feature", "weight"} <= set(explain["loaded"][0])
    assert "explain" in result.sentences[0].to_dict()
    # Both heads are stacked on the tagger: their explanations weigh the sentence's
    # strongest word against the head's features.
    model = analyzer.model
    sentence = "The shameful decision was a disaster."
    ((spans, probabilities),) = model.tagger.score_tokens([sentence])
    best = int(probabilities.argmax())
    strongest = [(sentence[slice(*spans[best])], float(probabilities[best]))]
    for head in ("loaded", "stance"):
        expected = model.explain(model.sentence_matrix([sentence]), head, strongest=strongest)
        assert explain[head] == expected[0]


def test_non_english_text_gets_a_warning(analyzer):
    french = ("Le conseil municipal a décidé mardi de fermer le pont pour dix-huit mois, "
              "une décision que les habitants jugent très difficile à accepter.")
    assert analyzer.analyze(french).warnings
    assert analyzer.analyze(ARTICLE).warnings == []


def test_deterministic(analyzer):
    assert analyzer.analyze(ARTICLE).to_dict() == analyzer.analyze(ARTICLE).to_dict()


def test_text_without_terminal_punctuation_is_one_sentence(analyzer):
    result = analyzer.analyze("  breaking news from the harbour  ")
    assert len(result.sentences) == 1 and result.sentences[0].start == 2


@pytest.mark.parametrize(
    "text, error, code",
    [
        (None, InvalidTypeError, "invalid_type"),
        (b"bytes", InvalidTypeError, "invalid_type"),
        (42, InvalidTypeError, "invalid_type"),
        ("", EmptyTextError, "empty_text"),
        (" \n\t ", EmptyTextError, "empty_text"),
        ("a" * 11, TextTooLongError, "text_too_long"),
        ("binary\x00data", InvalidTextError, "invalid_text"),
        ("bell\x07", InvalidTextError, "invalid_text"),
        ("escape \x1b[31m", InvalidTextError, "invalid_text"),
        ("delete \x7f", InvalidTextError, "invalid_text"),
        ("lone \ud800 surrogate", InvalidTextError, "invalid_text"),
    ],
)
def test_bad_input_raises_documented_errors(text, error, code):
    with pytest.raises(error) as info:
        validate_text(text, max_chars=10 if error is TextTooLongError else 100)
    assert info.value.code == code and info.value.field == "text"


def test_analyzer_checks_title_and_limit(tiny_model):
    analyzer = Analyzer(tiny_model, max_chars=50)
    with pytest.raises(TextTooLongError):
        analyzer.analyze("word " * 20)
    with pytest.raises(EmptyTextError) as info:
        analyzer.analyze("Fine text.", title="   ")
    assert info.value.field == "title"


def test_ordinary_whitespace_and_c1_mojibake_are_allowed():
    assert validate_text("tab\there\r\nform\x0cfeed") == "tab\there\r\nform\x0cfeed"
    assert validate_text("Windows-1252 mojibake \x9d here")


def test_thread_safe(analyzer):
    from concurrent.futures import ThreadPoolExecutor

    texts = [ARTICLE, "The board met.", "A shameful, disastrous mess."] * 4
    serial = [analyzer.analyze(t).to_dict() for t in texts]
    with ThreadPoolExecutor(4) as pool:
        assert list(pool.map(lambda t: analyzer.analyze(t).to_dict(), texts)) == serial


@pytest.mark.parametrize("threshold", [0.5, 0.05])
def test_terms_are_merge_terms_of_each_sentence(tiny_model, threshold):
    # The analyzer finds word offsets and candidates for all sentences at once; each
    # sentence's terms must still be what merge_terms gives it alone.
    import numpy as np

    from classifier.sentences import split_sentences
    from classifier.tagger import merge_terms
    from classifier.tokens import token_spans

    analyzer = Analyzer(tiny_model)
    analyzer.term_threshold = threshold
    text = (ARTICLE + "\n\nA so-called “barbaric” plan—shameful! İstanbul’s naïve café, "
            "a 𝐁𝐚𝐝 idea. —  …  \n\nDisastrous, shameful, barbaric-ish: x. Ok.")
    spans = split_sentences(text)
    texts = [text[s:e] for s, e in spans]
    tokens = tiny_model.tagger.token_probabilities(texts)
    _, lengths, probabilities = tokens
    found = analyzer._terms(texts, spans, tokens, np.ones(len(texts)))
    ends = np.cumsum(lengths)
    expected = [
        [(offset + s, offset + e, round(p, 4))
         for s, e, p in merge_terms(token_spans(sentence), probabilities[end - n:end],
                                    threshold, sentence)]
        for sentence, (offset, _), n, end in zip(texts, spans, lengths, ends, strict=True)
    ]
    assert any(expected)
    assert [[term[:3] for term in row] for row in found] == expected


# ------------------------------------------------------------ several articles at once
OTHER = ('Officials said the bridge will reopen in May. "It is a triumph," the mayor said.\n\n'
         "Critics called the delay a fiasco.")


@pytest.mark.parametrize("options", [
    {}, {"readability": False}, {"terms": False}, {"explain": True},
])
def test_analyze_many_equals_one_call_per_article(analyzer, options):
    documents = [(ARTICLE, "A shameful day"), OTHER, ("Short.", None), (OTHER, "Reopening")]
    many = analyzer.analyze_many(documents, **options)
    single = [analyzer.analyze(*((d, None) if isinstance(d, str) else d), **options)
              for d in documents]
    assert [r.to_dict() for r in many] == [r.to_dict() for r in single]
    assert many[0].title is not None and many[1].title is None


def test_analyze_many_of_nothing(analyzer):
    assert analyzer.analyze_many([]) == []
    assert analyzer.analyze_each([]) == []


def test_analyze_many_refuses_a_batch_with_a_bad_document(analyzer):
    with pytest.raises(EmptyTextError):
        analyzer.analyze_many([ARTICLE, "  "])
    with pytest.raises(InvalidTypeError, match="title"):
        analyzer.analyze_many([(ARTICLE, 3)])


def test_analyze_each_gives_each_document_its_own_outcome(analyzer):
    documents = ["", ARTICLE, (OTHER, "x" * 10), (42, None), ("fine.", "\0")]
    outcomes = Analyzer(analyzer.model, max_chars=1000).analyze_each(documents, batch_size=2)
    assert [type(o).__name__ for o in outcomes] == [
        "EmptyTextError", "AnalysisResult", "AnalysisResult", "InvalidTypeError",
        "InvalidTextError"]
    assert outcomes[1].to_dict() == analyzer.analyze(ARTICLE).to_dict()
    assert outcomes[2].to_dict() == analyzer.analyze(OTHER, "x" * 10).to_dict()


def test_analyze_each_isolates_the_document_a_batch_failed_on(analyzer, monkeypatch):
    real = Analyzer.analyze_many
    calls = []

    def fragile(self, documents, **options):
        calls.append(len(documents))
        if any("BOOM" in text for text, _ in documents):
            raise RuntimeError("a bug that one document triggers")
        return real(self, documents, **options)

    monkeypatch.setattr(Analyzer, "analyze_many", fragile)
    outcomes = analyzer.analyze_each([ARTICLE, "It went BOOM.", OTHER, "Fine."], batch_size=3)
    assert isinstance(outcomes[1], RuntimeError)
    assert [o.to_dict() for o in (outcomes[0], outcomes[2], outcomes[3])] == [
        real(analyzer, [(t, None)])[0].to_dict() for t in (ARTICLE, OTHER, "Fine.")]
    assert calls == [3, 1, 1, 1, 1]  # the failed batch again one by one, then the last


def test_analyze_each_lets_a_model_error_through(analyzer, monkeypatch):
    def broken(self, documents, **options):
        raise ModelError("the model went away")

    monkeypatch.setattr(Analyzer, "analyze_many", broken)
    with pytest.raises(ModelError):
        analyzer.analyze_each([ARTICLE])
