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
