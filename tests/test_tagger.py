import numpy as np
import pytest

from classifier.tagger import TermPolarity, TermTagger, label_tokens, merge_terms


@pytest.fixture(scope="module")
def training_sentences():
    import random

    from .corpora_fixtures import loaded_sentence, neutral_sentence

    rng = random.Random(1)
    texts, spans = [], []
    for i in range(300):
        if i % 2:
            text, found = loaded_sentence(rng)
        else:
            text, found = neutral_sentence(rng), []
        texts.append(text)
        spans.append(found)
    return texts, spans


@pytest.fixture(scope="module", params=[(False, 0), (True, 0), (True, 5.0)],
                ids=["one-stage", "context", "span-rates"])
def tagger(request, training_sentences):
    texts, spans = training_sentences
    context, span_rates = request.param
    return TermTagger(lexicons={"neg": {"dreadful"}}, context=context, neighbour_lexicons=True,
                      bigram_min_count=2, span_rates=span_rates).fit(texts, spans)


def test_label_tokens_marks_overlaps():
    tokens, labels = label_tokens("A barbaric act.", [(2, 10)])
    assert tokens == [(0, 1), (2, 10), (11, 14)]
    assert labels == [0, 1, 0]


def test_tagger_learns_loaded_words(tagger):
    (spans, probabilities), = tagger.score_tokens(["The board made a shameful decision."])
    words = ["The", "board", "made", "a", "shameful", "decision"]
    assert len(spans) == len(words)
    assert np.argmax(probabilities) == words.index("shameful")
    assert ((0 <= probabilities) & (probabilities <= 1)).all()


def test_lookup_tables_agree_with_the_design_matrix(tagger, training_sentences):
    texts = (["", "Alone", "— !"] + training_sentences[0][:20]
             + ["Unseen words: zorblax dreadful Frobnicate 42.", "", "Two-Words", "last"])
    fast = tagger._first_stage(texts)[2]
    slow = tagger.decision_function_matrix(texts)
    np.testing.assert_allclose(fast, slow, atol=1e-9)


def test_span_rate_table_smooths_towards_the_overall_rate():
    from classifier.tagger import span_rate_table

    words = ["vile", "vile", "the", "the", "the", "vile", "cat", "the"]
    labels = [1, 1, 0, 0, 0, 0, 0, 0]
    weights = [1.0] * 8
    table, oof = span_rate_table(words, labels, weights, smoothing=2.0,
                                 folds=[0, 1, 0, 1, 0, 1, 0, 1])
    prior = 2 / 8

    def expected(positive, total):
        rate = (positive + 2 * prior) / (total + 2)
        return np.log(rate / (1 - rate)) - np.log(prior / (1 - prior))

    assert table["vile"] == pytest.approx(expected(2, 3))
    assert table["the"] == pytest.approx(expected(0, 4))
    assert table["vile"] > 0 > table["the"]
    # Out of fold: the first "vile" (fold 0) only counts the other fold's two "vile"s,
    # one of them loaded; "cat" (fold 0) was never seen outside its fold.
    assert oof[0] == pytest.approx(expected(1, 2))
    assert oof[6] == pytest.approx(0.0)
    assert span_rate_table(words, labels, weights, 2.0)[1] is None


def test_span_rates_are_features_folded_into_the_tables(training_sentences):
    texts, spans = training_sentences
    tagger = TermTagger(span_rates=5.0).fit(texts, spans)
    plain = TermTagger().fit(texts, spans)
    assert tagger.n_columns_ == plain.n_columns_ + 3
    assert tagger.coef_[-3] > 0  # a word's own in-span rate raises its score
    assert tagger.span_rates_["shameful"] > 0 > tagger.span_rates_["the"]
    assert plain.span_rates_ is None


def test_technique_rates_learn_from_the_sentences_that_have_them(training_sentences):
    texts, spans = training_sentences
    # Weak labels on the first half only: "everyone" is inside every technique span there.
    technique_spans = [
        ([(text.index("everyone"), text.index("everyone") + 8)] if "everyone" in text else [])
        if i < len(texts) // 2 else None
        for i, text in enumerate(texts)
    ]
    tagger = TermTagger(span_rates=5.0, technique_rates=5.0).fit(
        texts, spans, technique_spans=technique_spans)
    assert tagger.n_columns_ == TermTagger().fit(texts, spans).n_columns_ + 6
    assert tagger.technique_rates_["everyone"] > 0 > tagger.technique_rates_["made"]
    fast = tagger._first_stage(texts[:30])[2]
    np.testing.assert_allclose(fast, tagger.decision_function_matrix(texts[:30]), atol=1e-9)
    with pytest.raises(ValueError, match="technique_spans"):
        TermTagger(technique_rates=5.0).fit(texts, spans)


def test_empty_and_wordless_texts(tagger):
    assert [len(s) for s, _ in tagger.score_tokens(["", "— !"])] == [0, 0]


def test_refitting_forgets_the_lookup_arrays_of_the_previous_fit(training_sentences):
    texts, spans = training_sentences
    half = len(texts) // 2
    refitted = TermTagger(bigram_min_count=2).fit(texts[:half], spans[:half])
    refitted.token_probabilities(texts[:5])  # builds the lookup arrays
    refitted.fit(texts[half:], spans[half:])
    fresh = TermTagger(bigram_min_count=2).fit(texts[half:], spans[half:])
    probe = ["The dreadful decision was made.", texts[0], texts[-1]]
    assert refitted.token_probabilities(probe)[2].tolist() == \
        fresh.token_probabilities(probe)[2].tolist()


def test_fit_rejects_mismatched_lengths():
    with pytest.raises(ValueError):
        TermTagger().fit(["a"], [])


@pytest.mark.parametrize(
    "text, probabilities, expected",
    [
        ("scored huge success today", [0.0, 0.9, 0.3, 0.0], ["huge success"]),
        ("storms wreaked havoc", [0.0, 0.8, 0.9], ["wreaked havoc"]),
        ("the barbaric invasion", [0.1, 0.9, 0.1], ["barbaric"]),
        ("a so-called expert", [0.0, 0.7, 0.0], ["so-called"]),
        ("awful; terrible", [0.9, 0.9], ["awful", "terrible"]),  # punctuation splits terms
        ("the Smith plan", [0.0, 0.3, 0.9], ["plan"]),  # names do not join by hysteresis
        ("and the Smith", [0.9, 0.9, 0.9], []),  # function words and names never start one
        ("SHAMEFUL vote", [0.9, 0.0], ["SHAMEFUL"]),
        # numbers neither start nor grow a term, in digits or in words
        ("a disastrous eighteen months", [0.0, 0.9, 0.4, 0.0], ["disastrous"]),
        ("shocking 5-4 vote", [0.9, 0.9, 0.0], ["shocking"]),
        ("Twelve 300 million", [0.9, 0.9, 0.9], []),
        ("nothing here", [0.1, 0.1], []),
    ],
)
def test_merge_terms(text, probabilities, expected):
    from classifier.tokens import token_spans

    terms = merge_terms(token_spans(text), probabilities, 0.5, text)
    assert [text[s:e] for s, e, _ in terms] == expected
    assert all(score == max(probabilities) or score >= 0.5 for _, _, score in terms)


def test_polarity_lexicon_and_fallback():
    lexicon = {w: "negative" for w in ("awful", "terrible", "horrible", "dreadful", "failure",
                                       "awfully", "horribly")}
    lexicon.update({w: "positive" for w in ("wonderful", "great", "success", "superb",
                                            "brilliant", "wonderfully", "brilliantly")})
    polarity = TermPolarity(lexicon).fit()
    assert polarity.predict(["huge success", "awful", "great failure"]) == [
        "positive", "negative", "negative"]
    assert polarity.predict(["terribly"])[0] in {"positive", "negative"}


def test_polarity_stores_guesses_for_fit_words():
    lexicon = {"awful": "negative", "terrible": "negative", "awfully": "negative",
               "great": "positive", "superb": "positive", "greatly": "positive"}
    polarity = TermPolarity(lexicon).fit(["Awfulness", "great"])
    assert set(polarity.guessed_) == {"awfulness"}
    model_says = polarity.model_.predict(["awfulness"])[0]
    assert polarity.predict(["awfulness"]) == ["positive" if model_says else "negative"]


def test_polarity_fallback_equals_the_pipeline():
    # predict() scores unknown terms without the pipeline's per-call overhead; the numbers
    # must be the pipeline's, for words of every length (shorter than the n-grams too).
    lexicon = {w: "negative" for w in ("awful", "terrible", "horrible", "dreadful", "failure",
                                       "awfully", "horribly", "bad", "grim")}
    lexicon.update({w: "positive" for w in ("wonderful", "great", "success", "superb",
                                            "brilliant", "wonderfully", "good", "fine")})
    polarity = TermPolarity(lexicon).fit()
    terms = ["terribly", "x", "ab", "wreaked  havoc", "über-réaction", "don't", "'", "",
             "zzzz", "grimly good", "a b c", "successful failures"]
    expected = polarity.model_.decision_function(terms)
    got = [polarity._model_decision(term) for term in terms]
    assert got == pytest.approx(expected, abs=1e-9)
    assert polarity.predict(terms) == [
        "positive" if value > 0 else "negative" for value in expected
    ]


def test_polarity_cache_gives_the_uncached_answers(monkeypatch):
    import pickle

    from classifier import tagger as tagger_module

    lexicon = {w: "negative" for w in ("awful", "terrible", "failure", "awfully", "grim")}
    lexicon.update({w: "positive" for w in ("great", "success", "superb", "greatly", "good")})
    polarity = TermPolarity(lexicon).fit(["Awfulness"])
    # Case variants share an entry; "İ" grows when lower-cased; unknown words and phrases
    # go through the model.
    terms = ["Huge SUCCESS", "huge success", "AWFUL", "awfulness", "İstanbul grim", "zorblax",
             "Zorblax", "terribly", "great failure", "", "don’t", "x"]
    fresh = [TermPolarity(lexicon).fit(["Awfulness"]).predict([term])[0] for term in terms]
    monkeypatch.setattr(tagger_module, "POLARITY_CACHE_SIZE", 4)
    assert polarity.predict(terms) == fresh
    assert polarity.predict(terms[::-1]) == fresh[::-1]  # now partly from the cache
    assert len(polarity._cache) == 4
    assert "_cache" not in pickle.loads(pickle.dumps(polarity)).__dict__
    # A new fit forgets the old polarities.
    flipped = {w: "positive" if p == "negative" else "negative" for w, p in lexicon.items()}
    assert polarity.set_params(lexicon=flipped).fit().predict(["awful"]) == ["positive"]


def test_polarity_needs_both_classes():
    with pytest.raises(ValueError):
        TermPolarity({"bad": "negative"}).fit()


@pytest.mark.parametrize("neighbours, bigrams", [(True, 0), (False, 2), (True, 2)])
def test_neighbour_lexicon_and_bigram_tables_agree_with_the_design_matrix(
        training_sentences, neighbours, bigrams):
    texts, spans = training_sentences
    tagger = TermTagger(lexicons={"neg": {"dreadful", "decision"}, "x": {"the", "made"}},
                        neighbour_lexicons=neighbours, bigram_min_count=bigrams).fit(texts, spans)
    assert bool(tagger.bigrams_) == bool(bigrams)
    n_lexicons = 2
    assert tagger.n_columns_ == (3 * len(tagger.vocabulary_) + len(tagger.suffixes_) + n_lexicons
                                 + 5 + (2 * n_lexicons if neighbours else 0)
                                 + len(tagger.bigrams_))
    probe = (["", "Alone", "the dreadful made decision", "Unseen zorblax dreadful made."]
             + texts[:20])
    fast = tagger._first_stage(probe)[2]
    np.testing.assert_allclose(fast, tagger.decision_function_matrix(probe), atol=1e-9)


def test_bigram_features_are_learned():
    # "made" alone is neutral; only the bigram "made up" marks a loaded phrase.
    texts = ["They made up the story."] * 20 + ["They made the bed."] * 20 + ["Up we go."] * 20
    spans = [[(5, 12)]] * 20 + [[]] * 40
    plain = TermTagger(context=False, C=1.0).fit(texts, spans)
    with_bigrams = TermTagger(context=False, C=1.0, bigram_min_count=2).fit(texts, spans)
    (_, p_plain), = plain.score_tokens(["They made up the story."])
    (_, p_bigram), = with_bigrams.score_tokens(["They made up the story."])
    assert p_bigram[2] > p_plain[2]


@pytest.mark.parametrize(
    "text, probabilities, expected",
    [
        ("the storm wreaked havoc", [0.0, 0.3, 0.8, 0.7], ["wreaked havoc"]),  # weak left edge
        ("the barbaric invasion", [0.0, 0.9, 0.2], ["barbaric"]),  # weak right edge
        ("a huge success", [0.0, 0.9, 0.4], ["huge success"]),  # right edge above 0.3 x peak
        ("the bold plan", [0.0, 0.6, 0.9], ["bold plan"]),
    ],
)
def test_merge_terms_trims_weak_edges(text, probabilities, expected):
    from classifier.tokens import token_spans

    terms = merge_terms(token_spans(text), probabilities, 0.3, text)
    assert [text[s:e] for s, e, _ in terms] == expected
    untrimmed = merge_terms(token_spans(text), probabilities, 0.3, text, trim_left=0, trim_right=0)
    assert len(" ".join(text[s:e] for s, e, _ in untrimmed)) >= len(
        " ".join(text[s:e] for s, e, _ in terms))


def test_intensified_pairs_score_at_least_their_training_in_span_rate(training_sentences):
    texts, spans = map(list, training_sentences)
    # Three of four "utterly <polar word>" pairs lie inside a span: rate 0.75 (equal weights).
    pair_texts = ["It was utterly dreadful.", "An utterly dreadful plan.",
                  "Utterly dreadful again.", "They were utterly dreadful."]
    for i, text in enumerate(pair_texts):
        start = text.lower().index("utterly")
        texts.append(text)
        spans.append([] if i == 3 else [(start, start + len("utterly dreadful"))])
    tagger = TermTagger(lexicons={"neg": {"dreadful"}}, intensifiers=("utterly", "totally"),
                        pair_lexicons=("neg",)).fit(texts, spans)
    assert tagger.pair_rate_ == pytest.approx(0.75)
    # The pairs change no feature, so a tagger without them has the same weights: the two
    # differ exactly at the pair's words. "totally." ending one text and "Dreadful" starting
    # the next are no pair. "totally" never occurs in training, so it scores low alone.
    plain = TermTagger(lexicons={"neg": {"dreadful"}}).fit(texts, spans)
    assert plain.pair_rate_ is None
    sentences = ["Residents called it totally dreadful.", "It ended totally.", "Dreadful news."]
    lifted = tagger.token_probabilities(sentences)[2]
    base = plain.token_probabilities(sentences)[2]
    expected = base.copy()
    expected[[3, 4]] = np.maximum(base[[3, 4]], 0.75)
    np.testing.assert_allclose(lifted, expected)
    assert base[3] < 0.75 and base[7] < 0.75  # "totally" is lifted in the pair only
    # Scoring finds pairs by word id (unknown words such as "totally" by their text), fitting
    # by text: the two agree.
    scored = tagger.score_words(["", *sentences, "Totally dreadful", ""])
    by_text = tagger._intensified_pairs(scored.lowered, scored.lengths)
    by_id = tagger._intensified_pairs(scored.lowered, scored.lengths, scored.word_ids)
    assert by_text.tolist() == by_id.tolist() == [False, False, False, True, True] + [False] * 5 + [
        True, True]


def test_a_tagger_saved_before_intensified_pairs_still_scores(tagger):
    import pickle

    old = pickle.loads(pickle.dumps(tagger))
    del old.pair_rate_  # fitted before the attribute existed
    np.testing.assert_array_equal(old.token_probabilities(["A dreadful plan."])[2],
                                  tagger.token_probabilities(["A dreadful plan."])[2])
