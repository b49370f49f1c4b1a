import numpy as np
import pytest
from sklearn.exceptions import NotFittedError
from sklearn.feature_extraction.text import TfidfVectorizer

from classifier.tokens import tokenize
from classifier.vectorizers import CharNgramTfidf, WordNgramTfidf

DOCS = [
    "The council's shameful decision!", "A barbaric, shameful plan.", "The council met.",
    "Café owners said “no”.", "A plan, a council, a decision.", "x", "   ", "Ünïcödé wörds",
    "The shameful council met again on Tuesday.", "so-called experts disagreed",
]


def test_same_features_and_values_as_scikit_learn_char_wb():
    ours = CharNgramTfidf(ngram_range=(2, 5), min_df=2).fit(DOCS)
    reference = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), min_df=2,
                                sublinear_tf=True).fit(DOCS)
    names = list(ours.get_feature_names_out())
    assert set(names) == set(reference.vocabulary_)
    columns = [reference.vocabulary_[n] for n in names]
    queries = DOCS + ["A shameful, unseen sentence.", ""]
    np.testing.assert_allclose(ours.transform(queries).toarray(),
                               reference.transform(queries).toarray()[:, columns], atol=1e-6)


def test_max_features_keeps_the_most_frequent():
    vectorizer = CharNgramTfidf(min_df=1, max_features=5).fit(DOCS)
    assert vectorizer.n_features_out_ == 5
    reference = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5)).fit(DOCS)
    df = np.asarray((reference.transform(DOCS) > 0).sum(axis=0)).ravel()
    kept_df = [df[reference.vocabulary_[n]] for n in vectorizer.get_feature_names_out()]
    assert min(kept_df) >= sorted(df)[-5]


def test_empty_input_and_unfitted():
    with pytest.raises(NotFittedError):
        CharNgramTfidf().transform(["x"])
    vectorizer = CharNgramTfidf(min_df=1).fit(DOCS)
    assert vectorizer.transform([]).shape == (0, vectorizer.n_features_out_)
    assert vectorizer.transform(["", "  "]).nnz == 0


def test_words_match_scikit_learn():
    ours = WordNgramTfidf(min_df=2).fit(DOCS)
    reference = TfidfVectorizer(tokenizer=tokenize, token_pattern=None, lowercase=False,
                                ngram_range=(1, 2), min_df=2, sublinear_tf=True).fit(DOCS)
    names = list(ours.get_feature_names_out())
    assert set(names) == set(reference.vocabulary_) and any(" " in n for n in names)
    columns = [reference.vocabulary_[n] for n in names]
    queries = DOCS + ["The council, the council: shameful!", "", "unseen words only"]
    np.testing.assert_allclose(ours.transform(queries).toarray(),
                               reference.transform(queries).toarray()[:, columns], atol=1e-6)


def test_words_empty_input_and_unfitted():
    with pytest.raises(NotFittedError):
        WordNgramTfidf().transform(["x"])
    vectorizer = WordNgramTfidf(min_df=1).fit(DOCS)
    assert vectorizer.transform([]).shape == (0, vectorizer.n_features_out_)
    assert vectorizer.transform(["", "!!"]).nnz == 0


@pytest.mark.parametrize("make", [lambda: CharNgramTfidf(min_df=1),
                                  lambda: WordNgramTfidf(min_df=1)])
def test_weighted_sum_equals_matrix_product(make):
    # The analyzer scores through weighted_sum; it must be the matrix's product exactly.
    vectorizer = make().fit(DOCS)
    weights = np.random.default_rng(0).normal(size=(vectorizer.n_features_out_, 2))
    # Empty rows first, in the middle and last: the row sums must not run into them.
    queries = ["", "!!", *DOCS, "", "A shameful, unseen sentence.", "council council", "", "?"]
    np.testing.assert_allclose(vectorizer.weighted_sum(queries, weights),
                               vectorizer.transform(queries) @ weights, atol=1e-6)
    assert vectorizer.weighted_sum([], weights).shape == (0, 2)


def test_row_sums_of_sorted_rows_with_empty_ones():
    from classifier.vectorizers import _row_sums

    rows = np.array([1, 1, 3, 4, 4, 4])
    values = np.array([1.0, 2.0, 4.0, 8.0, 16.0, 32.0])
    bounds = np.searchsorted(rows, np.arange(7))
    np.testing.assert_array_equal(_row_sums(bounds, values),
                                  np.bincount(rows, weights=values, minlength=6))
    np.testing.assert_array_equal(_row_sums(np.zeros(4, dtype=np.int64), np.zeros(0)),
                                  np.zeros(3))


def test_char_word_cache_gives_the_same_rows_and_is_not_pickled():
    import pickle

    vectorizer = CharNgramTfidf(min_df=1).fit(DOCS)
    cold = vectorizer.transform(DOCS).toarray()
    # Warm: every word now comes from the cache, alone or mixed with new words.
    np.testing.assert_array_equal(vectorizer.transform(DOCS).toarray(), cold)
    mixed = vectorizer.transform(["brand new words", *DOCS]).toarray()
    np.testing.assert_array_equal(mixed[1:], cold)
    assert "_word_columns" not in pickle.loads(pickle.dumps(vectorizer)).__dict__


def test_char_word_cache_is_bounded(monkeypatch):
    from classifier import vectorizers

    expected = CharNgramTfidf(min_df=1).fit(DOCS).transform(DOCS).toarray()
    monkeypatch.setattr(vectorizers, "WORD_CACHE_SIZE", 3)
    vectorizer = CharNgramTfidf(min_df=1).fit(DOCS)
    for _ in range(2):
        np.testing.assert_array_equal(vectorizer.transform(DOCS).toarray(), expected)
    assert len(vectorizer._word_columns.slots) == 3


def _random_documents(seed: int, n: int) -> list[str]:
    rng = np.random.default_rng(seed)
    letters = np.array(list("abcdefghijklmnopqrstuvwxyzé’-"))
    return [" ".join("".join(rng.choice(letters, size=rng.integers(1, 14)))
                     for _ in range(rng.integers(0, 25))) for _ in range(n)]


def test_char_word_table_grows_and_matches_uncached_columns(monkeypatch):
    from classifier import vectorizers

    fitted = CharNgramTfidf(min_df=1).fit(DOCS + _random_documents(1, 200))
    documents = _random_documents(2, 600)  # ~7,000 distinct words: the table grows
    monkeypatch.setattr(vectorizers, "WORD_CACHE_SIZE", 0)
    uncached = [fitted.transform(documents[i:i + 30]).toarray() for i in range(0, 600, 30)]
    monkeypatch.undo()
    fitted.__dict__.pop("_word_columns", None)
    for _ in range(2):  # cold, then warm
        cached = [fitted.transform(documents[i:i + 30]).toarray() for i in range(0, 600, 30)]
        for a, b in zip(cached, uncached, strict=True):
            np.testing.assert_array_equal(a, b)
    assert len(fitted._word_columns.slots) > 1024


def test_char_word_table_is_safe_for_threads():
    from concurrent.futures import ThreadPoolExecutor

    fitted = CharNgramTfidf(min_df=1).fit(DOCS + _random_documents(3, 200))
    batches = [_random_documents(seed, 30) for seed in range(10, 26)]
    reference = CharNgramTfidf(min_df=1).fit(DOCS + _random_documents(3, 200))
    expected = [reference.transform(batch).toarray() for batch in batches]
    with ThreadPoolExecutor(max_workers=4) as pool:
        for _ in range(3):
            results = list(pool.map(lambda b: fitted.transform(b).toarray(), batches))
            for got, want in zip(results, expected, strict=True):
                np.testing.assert_array_equal(got, want)
