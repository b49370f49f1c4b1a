import numpy as np
import pytest
from sklearn.exceptions import NotFittedError

from classifier.features import LexiconFeatures, SentenceShapeFeatures, build_sentence_features
from classifier.tokens import TokenizedTexts


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


def _shape_row(text: str) -> dict[str, float]:
    features = SentenceShapeFeatures().fit([])
    names = [n.removeprefix("shape_") for n in features.get_feature_names_out()]
    return dict(zip(names, features.transform([text]).toarray()[0], strict=True))


@pytest.mark.parametrize("text, on", [
    ("The council closed the bridge", {"words_le_10"}),
    ('"We will win," she said.', {"quote_marks", "attributed", "first_person", "words_le_10"}),
    ("Why should you care?! It costs 5 dollars (or more); sad.",
     {"exclamation", "question", "second_person", "digit", "parenthesis", "semicolon",
      "words_le_20"}),
    ("Her verdict: \u201cshameful.\u201d", {"quote_marks", "colon", "ends_in_quote",
                                          "words_le_10"}),
    ("It is said the plan failed.", {"words_le_10"}),  # a passive is not an attribution
    (" ".join(["word"] * 46), {"words_gt_45"}),
    ("", {"words_le_10"}),
])
def test_sentence_shape_features_mark_what_they_name(text, on):
    row = _shape_row(text)
    assert {name for name, value in row.items() if value} == on
    assert set(row.values()) <= {0.0, 1.0}


def test_sentence_shape_features_length_bins_are_one_hot_at_their_edges():
    for words, name in ((10, "words_le_10"), (11, "words_le_20"), (45, "words_le_45"),
                        (46, "words_gt_45")):
        row = _shape_row(" ".join(["w"] * words))
        assert [n for n, v in row.items() if n.startswith("words_") and v] == [name]


def test_sentence_shape_features_weighted_sum_and_pretokenised_texts_agree():
    texts = ['"Fine," he said.', "We must act now!", "Is 2 + 2 four?"]
    features = SentenceShapeFeatures().fit(texts)
    matrix = features.transform(texts).toarray()
    np.testing.assert_array_equal(features.transform(TokenizedTexts(texts)).toarray(), matrix)
    weights = np.arange(2 * matrix.shape[1]).reshape(-1, 2)
    np.testing.assert_allclose(features.weighted_sum(texts, weights), matrix @ weights)
    with pytest.raises(NotFittedError):
        SentenceShapeFeatures().transform(texts)


def test_sentence_features_union_can_add_the_shape_block():
    union = build_sentence_features({"neg": {"awful"}}, char_ngrams=False, shape_features=True)
    union.fit(["an awful day", "a fine day"])
    assert "shape__shape_attributed" in union.get_feature_names_out()
    assert union.transform(["an awful day!"]).shape[1] == len(union.get_feature_names_out())
