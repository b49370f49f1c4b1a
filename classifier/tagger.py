"""Word-level models: which words carry loaded language, and with which polarity.

:class:`TermTagger` is a logistic regression over one token at a time: the word
itself, its neighbours, its suffix, the lexicons it belongs to and its shape.
Because every feature is an indicator of the token or its neighbours, a fitted
tagger reduces to a few lookup tables; scoring an article is then a handful of
dictionary look-ups per word instead of building a sparse matrix, which keeps the
analyzer fast. ``decision_tables_`` holds those tables, derived from ``coef_``.
"""

from __future__ import annotations

from collections import Counter

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.utils.validation import check_is_fitted

from .language import ENGLISH_FUNCTION_WORDS
from .tokens import WORD_PATTERN

__all__ = ["TermTagger", "TermPolarity", "merge_terms", "label_tokens"]

_OOV, _BOS, _EOS = "<oov>", "<s>", "</s>"
_SHAPES = ("capitalised", "all_caps", "digit", "short", "hyphenated")


def _shape(word: str, first: bool) -> list[int]:
    """Indices into ``_SHAPES`` that describe ``word`` (names and numbers are rarely loaded)."""
    shape = []
    if not first and word[:1].isupper():
        shape.append(0)
    if len(word) > 1 and word.isupper():
        shape.append(1)
    if word[:1].isdigit():
        shape.append(2)
    if len(word) <= 2:
        shape.append(3)
    if "-" in word:
        shape.append(4)
    return shape


def _suffix(word: str) -> str:
    return word[-3:] if len(word) > 4 else ""


def _context_features(z: np.ndarray) -> np.ndarray:
    """Second-stage features of each token from first-stage logits ``z`` of one sentence:
    its own logit, its neighbours' (two each side) and the stronger adjacent one.

    Sentence-wide features (max, mean) were tried: they raise every word of a loaded
    sentence ("prams", "footpath") and lowered BABE word F1 on a validation fold."""
    n = len(z)
    pad = np.full(2, -10.0)  # "no word here" reads as a very unlikely loaded word
    padded = np.concatenate([pad, z, pad])
    return np.column_stack([
        z,
        padded[1:n + 1], padded[3:n + 3],
        padded[0:n], padded[4:n + 4],
        np.maximum(padded[1:n + 1], padded[3:n + 3]),
    ])


def label_tokens(text: str, spans) -> tuple[list[tuple[int, int]], list[int]]:
    """Token spans of ``text`` and 1/0 labels: 1 when the token overlaps a labelled span."""
    tokens = [m.span() for m in WORD_PATTERN.finditer(text)]
    labels = [int(any(s < e2 and s2 < e for s2, e2 in spans)) for s, e in tokens]
    return tokens, labels


class TermTagger(ClassifierMixin, BaseEstimator):
    """Token classifier for loaded words.

    Parameters
    ----------
    lexicons : dict of str -> collection of str, optional
        Named word lists whose membership is a feature.
    min_count : int, default=2
        Words seen fewer times in training share the out-of-vocabulary weight.
    C : float, default=0.5
        Inverse regularisation strength of the logistic regression.
    class_weight : dict, "balanced" or None, default=None
    threshold : float, default=0.5
        Probability from which a token is reported as a loaded term.
    context : bool, default=True
        Add a second stage that rescores each token from the first-stage scores of
        itself and its neighbours (loaded phrases such as "wreaked havoc" span words).
    max_iter : int, default=2000

    Attributes
    ----------
    vocabulary_ : dict of str -> int
    coef_, intercept_ : fitted logistic-regression weights over the token features.
    decision_tables_ : dict
        Lookup tables derived from ``coef_`` used by :meth:`score_tokens`.
    """

    def __init__(self, lexicons=None, min_count=2, C=0.5, class_weight=None, threshold=0.5,
                 context=True, max_iter=2000):
        self.lexicons = lexicons
        self.context = context
        self.min_count = min_count
        self.C = C
        self.class_weight = class_weight
        self.threshold = threshold
        self.max_iter = max_iter

    # -- feature layout -------------------------------------------------------
    def _columns(self, words: list[str], originals: list[str]) -> list[list[int]]:
        """Active feature columns for each token of one sentence."""
        vocab, suffixes, lexicon_columns = self.vocabulary_, self.suffixes_, self.lexicon_columns_
        n_vocab, n_suffix = len(vocab), len(suffixes)
        prev_base, next_base = n_vocab, 2 * n_vocab
        suffix_base = 3 * n_vocab
        lexicon_base = suffix_base + n_suffix
        shape_base = lexicon_base + len(self.lexicon_names_)
        oov = vocab[_OOV]
        ids = [vocab.get(w, oov) for w in words]
        rows = []
        for i, word in enumerate(words):
            cols = [ids[i]]
            cols.append(prev_base + (ids[i - 1] if i else vocab[_BOS]))
            cols.append(next_base + (ids[i + 1] if i + 1 < len(ids) else vocab[_EOS]))
            suffix = suffixes.get(_suffix(word))
            if suffix is not None:
                cols.append(suffix_base + suffix)
            cols.extend(lexicon_base + c for c in lexicon_columns.get(word, ()))
            cols.extend(shape_base + s for s in _shape(originals[i], i == 0))
            rows.append(cols)
        return rows

    def _design(self, texts) -> tuple[sp.csr_matrix, list[list[tuple[int, int]]]]:
        indptr, indices, all_spans = [0], [], []
        for text in texts:
            matches = list(WORD_PATTERN.finditer(text))
            all_spans.append([m.span() for m in matches])
            originals = [m.group() for m in matches]
            for cols in self._columns([w.lower() for w in originals], originals):
                indices.extend(cols)
                indptr.append(len(indices))
        data = np.ones(len(indices), dtype=np.float64)
        matrix = sp.csr_matrix((data, indices, indptr), shape=(len(indptr) - 1, self.n_columns_))
        return matrix, all_spans

    # -- estimator API --------------------------------------------------------
    def fit(self, X, y, sample_weight=None):
        """Fit on sentences ``X`` (list of str) and their loaded spans ``y``.

        Parameters
        ----------
        X : list of str
        y : list of sequences of (start, end)
            Character spans of loaded words in each sentence.
        sample_weight : array-like of shape (n_sentences,), optional
            Weight of each sentence's tokens (to balance corpora).
        """
        if len(X) != len(y):
            raise ValueError("X and y must have the same length")
        counts = Counter(w.lower() for text in X for w in WORD_PATTERN.findall(text))
        words = sorted(w for w, n in counts.items() if n >= self.min_count)
        self.vocabulary_ = {w: i for i, w in enumerate([_OOV, _BOS, _EOS, *words])}
        suffix_counts = Counter(_suffix(w) for w in counts if _suffix(w))
        self.suffixes_ = {
            s: i for i, s in enumerate(sorted(s for s, n in suffix_counts.items() if n >= 5))
        }
        lexicons = self.lexicons or {}
        self.lexicon_names_ = sorted(lexicons)
        lexicon_columns: dict[str, tuple[int, ...]] = {}
        for column, name in enumerate(self.lexicon_names_):
            for word in lexicons[name]:
                lexicon_columns[word] = (*lexicon_columns.get(word, ()), column)
        self.lexicon_columns_ = lexicon_columns
        self.n_columns_ = (
            3 * len(self.vocabulary_) + len(self.suffixes_) + len(self.lexicon_names_)
            + len(_SHAPES)
        )
        matrix, spans = self._design(X)
        labels, weights = [], []
        for i, (text, gold) in enumerate(zip(X, y, strict=True)):
            _, token_labels = label_tokens(text, gold)
            labels.extend(token_labels)
            weights.extend([1.0 if sample_weight is None else sample_weight[i]] * len(token_labels))
        self.classes_ = np.array([0, 1])
        labels, weights = np.array(labels), np.array(weights)
        self.context_coef_, self.context_intercept_ = None, 0.0
        if self.context:
            # Out-of-fold first-stage logits, so the second stage learns how much to trust
            # them on words it has not memorised.
            oof = np.empty(len(labels))
            sentence_of_token = np.repeat(np.arange(len(X)), [len(s) for s in spans])
            fold_of_sentence = np.arange(len(X)) % 3
            for fold in range(3):
                held = fold_of_sentence[sentence_of_token] == fold
                part = self._fit_first_stage(matrix[~held], labels[~held], weights[~held])
                oof[held] = matrix[held] @ part.coef_[0] + part.intercept_[0]
            rows, start = [], 0
            for sentence_spans in spans:
                end = start + len(sentence_spans)
                if end > start:
                    rows.append(_context_features(oof[start:end]))
                start = end
            context = LogisticRegression(C=1.0, class_weight=self.class_weight,
                                         max_iter=self.max_iter)
            context.fit(np.vstack(rows), labels, sample_weight=weights)
            self.context_coef_ = context.coef_[0]
            self.context_intercept_ = float(context.intercept_[0])
        model = self._fit_first_stage(matrix, labels, weights)
        self.coef_ = model.coef_[0]
        self.intercept_ = float(model.intercept_[0])
        self.decision_tables_ = self._tables()
        return self

    def _fit_first_stage(self, matrix, labels, weights) -> LogisticRegression:
        model = LogisticRegression(C=self.C, class_weight=self.class_weight,
                                   max_iter=self.max_iter)
        return model.fit(matrix, labels, sample_weight=weights)

    def _tables(self) -> dict:
        """Split ``coef_`` into per-word lookup tables (see the module docstring)."""
        coef = self.coef_
        vocab = self.vocabulary_
        n_vocab, n_suffix = len(vocab), len(self.suffixes_)
        suffix_base = 3 * n_vocab
        lexicon_base = suffix_base + n_suffix
        shape_base = lexicon_base + len(self.lexicon_names_)
        lexicon_weight = coef[lexicon_base:shape_base]
        suffix_weight = {s: float(coef[suffix_base + i]) for s, i in self.suffixes_.items()}
        oov = float(coef[vocab[_OOV]])
        # The static part of a word's score: identity (or OOV), suffix and lexicons.
        static = {}
        for word in set(vocab) | set(self.lexicon_columns_):
            value = float(coef[vocab[word]]) if word in vocab else oov
            value += suffix_weight.get(_suffix(word), 0.0)
            value += float(sum(lexicon_weight[c] for c in self.lexicon_columns_.get(word, ())))
            static[word] = value
        return {
            "static": static,
            "oov": oov,
            "suffix": suffix_weight,
            "prev": {w: float(coef[n_vocab + i]) for w, i in vocab.items()},
            "next": {w: float(coef[2 * n_vocab + i]) for w, i in vocab.items()},
            "shape": [float(x) for x in coef[shape_base:]],
        }

    def score_tokens(self, texts) -> list[tuple[list[tuple[int, int]], np.ndarray]]:
        """Token spans and loaded probabilities for each text.

        Parameters
        ----------
        texts : list of str

        Returns
        -------
        list of (spans, probabilities)
            For each text its word spans and an array of shape (n_words,) in [0, 1].
        """
        check_is_fitted(self, "decision_tables_")
        first = self._first_stage(texts)
        if self.context_coef_ is None:
            return [(spans, 1.0 / (1.0 + np.exp(-z))) for spans, z in first]
        return [(spans, self._second_stage(z)) for spans, z in first]

    def _second_stage(self, z: np.ndarray) -> np.ndarray:
        """Probabilities from the first-stage logits of one sentence and their context."""
        if len(z) == 0:
            return z
        value = _context_features(z) @ self.context_coef_ + self.context_intercept_
        return 1.0 / (1.0 + np.exp(-value))

    def _first_stage(self, texts) -> list[tuple[list[tuple[int, int]], np.ndarray]]:
        """Word spans and first-stage logits (word, neighbours, suffix, lexicons, shape)."""
        tables = self.decision_tables_
        static, suffix, prev, nxt, shape = (
            tables["static"], tables["suffix"], tables["prev"], tables["next"], tables["shape"]
        )
        oov, prev_oov, next_oov = tables["oov"], prev[_OOV], nxt[_OOV]
        prev_bos, next_eos = prev[_BOS], nxt[_EOS]
        results = []
        for text in texts:
            matches = list(WORD_PATTERN.finditer(text))
            originals = [m.group() for m in matches]
            words = [w.lower() for w in originals]
            n = len(words)
            scores = np.empty(n)
            for i, word in enumerate(words):
                value = static.get(word)
                if value is None:
                    value = oov + suffix.get(_suffix(word), 0.0)
                value += prev.get(words[i - 1], prev_oov) if i else prev_bos
                value += nxt.get(words[i + 1], next_oov) if i + 1 < n else next_eos
                for s in _shape(originals[i], i == 0):
                    value += shape[s]
                scores[i] = value
            results.append(([m.span() for m in matches], scores + self.intercept_))
        return results

    def decision_function_matrix(self, texts) -> np.ndarray:
        """Token scores computed through the full sparse design matrix (slow path;
        used by tests to check that the lookup tables agree with ``coef_``)."""
        check_is_fitted(self, "coef_")
        matrix, _ = self._design(texts)
        return matrix @ self.coef_ + self.intercept_


def merge_terms(spans, probabilities, threshold: float, text: str, extend: float = 0.5):
    """Loaded terms of one sentence: flagged tokens grown into phrases.

    A content word at or above ``threshold`` starts a term; the term then grows over
    neighbouring content words scoring at least ``extend * threshold`` (hysteresis, so
    "huge success" and "wreaked havoc" come out whole while a lone weak word does not),
    and terms separated only by spaces or hyphens join. A term's score is its highest
    token probability.

    Returns
    -------
    list of (start, end, score)
    """
    n = len(spans)
    probabilities = np.asarray(probabilities, dtype=float)
    words = [text[s:e] for s, e in spans]
    # Function words and mid-sentence names never start a term: the tagger's context
    # stage can lift them next to a loaded word, but they are not the loaded wording.
    keep = np.array([
        p >= threshold and w.lower() not in ENGLISH_FUNCTION_WORDS
        and (i == 0 or not w[:1].isupper() or w.isupper())
        for i, (w, p) in enumerate(zip(words, probabilities, strict=True))
    ], dtype=bool)
    if not keep.any():
        return []
    weak = threshold * extend

    def can_grow(i: int) -> bool:
        word = words[i]
        return (probabilities[i] >= weak and word.lower() not in ENGLISH_FUNCTION_WORDS
                and not word[:1].isupper())

    core = np.flatnonzero(keep)
    for i in core:
        j = i - 1
        while j >= 0 and not keep[j] and _adjacent(text, spans[j], spans[j + 1]) and can_grow(j):
            keep[j] = True
            j -= 1
        j = i + 1
        while j < n and not keep[j] and _adjacent(text, spans[j - 1], spans[j]) and can_grow(j):
            keep[j] = True
            j += 1
    terms: list[list] = []
    previous = -2
    for i in np.flatnonzero(keep):
        start, end = spans[i]
        if terms and previous == i - 1 and _adjacent(text, spans[i - 1], spans[i]):
            terms[-1][1] = end
            terms[-1][2] = max(terms[-1][2], float(probabilities[i]))
        else:
            terms.append([start, end, float(probabilities[i])])
        previous = i
    return [tuple(t) for t in terms]


def _adjacent(text: str, left, right) -> bool:
    """Whether only spaces or hyphens separate two tokens (no punctuation, no line break)."""
    return text[left[1]:right[0]].strip(" -") == ""


class TermPolarity(BaseEstimator):
    """Polarity (positive/negative) of a loaded term.

    A lexicon decides known words; a character n-gram logistic regression trained
    on the same lexicon generalises to unseen words ("barbarically").

    Parameters
    ----------
    lexicon : dict of str -> str, optional
        Word -> "positive" or "negative".
    """

    def __init__(self, lexicon=None):
        self.lexicon = lexicon

    def fit(self, X=None, y=None):
        lexicon = {w: p for w, p in (self.lexicon or {}).items() if p in ("positive", "negative")}
        if len(set(lexicon.values())) < 2:
            raise ValueError("the polarity lexicon needs positive and negative words")
        self.lexicon_ = lexicon
        words = sorted(lexicon)
        self.model_ = make_pipeline(
            TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), min_df=2, sublinear_tf=True),
            LogisticRegression(C=2.0, max_iter=2000, class_weight="balanced"),
        ).fit(words, [lexicon[w] == "positive" for w in words])
        return self

    def predict(self, terms) -> list[str]:
        """"positive" or "negative" for each term (a word or a phrase)."""
        check_is_fitted(self, "lexicon_")
        out: list[str | None] = []
        unknown = []
        for i, term in enumerate(terms):
            votes = [self.lexicon_.get(w) for w in WORD_PATTERN.findall(term.lower())]
            votes = [v for v in votes if v]
            if votes:
                # "Negative" wins ties: "huge failure" is negative, "huge success" positive.
                out.append("positive" if votes.count("positive") > votes.count("negative")
                           else "negative")
            else:
                out.append(None)
                unknown.append(i)
        if unknown:
            positive = self.model_.predict([terms[i].lower() for i in unknown])
            for i, is_positive in zip(unknown, positive, strict=True):
                out[i] = "positive" if is_positive else "negative"
        return out
