import numpy as np
import pytest
from sklearn.exceptions import NotFittedError

from classifier.features import LexiconFeatures, build_sentence_features


def test_lexicon_features_count_members_per_lexicon():
    features = LexiconFeatures({"neg": {"awful", "bad"}, "pos": {"good"}}).fit([])
    matrix = features.transform(["An awful, bad day.", "Good.", "Nothing here"]).toarray()
    assert list(features.get_feature_names_out()) == ["lexicon_neg", "lexicon_pos", "length"]
    assert matrix[0, 0] == pytest.approx(2 / np.sqrt(4))
    assert matrix[1, 1] == pytest.approx(1.0)
    assert matrix[2, :2].tolist() == [0, 0]


def test_lexicon_features_match_a_word_by_word_count():
    lexicons = {"neg": {"awful", "bad", "grim"}, "pos": {"good", "grim"}, "hedge": {"may"}}
    features = LexiconFeatures(lexicons).fit([])
    texts = ["An awful, bad day.", "", "Grim but good: it may be grim.", "nothing"]
    names = features.lexicon_names_
    expected = np.zeros((len(texts), len(names) + 1))
    for row, text in enumerate(texts):
        words = text.lower().replace(",", " ").replace(".", " ").replace(":", " ").split()
        for column, name in enumerate(names):
            expected[row, column] = sum(w in lexicons[name] for w in words)
            expected[row, column] /= np.sqrt(max(len(words), 1))
        expected[row, -1] = np.log1p(len(words)) / 4
    np.testing.assert_allclose(features.transform(texts).toarray(), expected)
    weights = np.arange(2 * (len(names) + 1)).reshape(-1, 2)
    np.testing.assert_allclose(features.weighted_sum(texts, weights), expected @ weights)


def test_lexicon_features_without_lexicons_and_unfitted():
    with pytest.raises(NotFittedError):
        LexiconFeatures().transform(["x"])
    assert LexiconFeatures().fit([]).transform(["a b"]).shape == (1, 1)


def test_sentence_features_union_is_picklable_and_named():
    import pickle

    union = build_sentence_features({"neg": {"awful"}}, char_ngrams=False)
    union.fit(["an awful day", "an awful night", "a fine day", "a fine night"])
    clone = pickle.loads(pickle.dumps(union))
    names = clone.get_feature_names_out()
    assert "words__awful" in names and "lexicons__lexicon_neg" in names
