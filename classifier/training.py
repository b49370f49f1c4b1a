"""Training the Slant model from labelled corpora (used by ``train.py`` and ``slant train``).

Everything is deterministic: the held-out split hashes article/event ids, the
validation folds are fixed, and every estimator gets ``random_state=seed``.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.base import clone
from sklearn.calibration import CalibratedClassifierCV
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold, cross_val_predict
from sklearn.pipeline import make_pipeline

from . import __version__
from .datasets import (
    HELDOUT_PERCENT,
    LabelledSentence,
    data_fingerprint,
    evaluation_sets,
    load_lexicons,
    splits_for,
)
from .evaluation import NOISE_DRAWS, evaluate_model, sentence_metrics
from .features import build_sentence_features
from .model import CARD_NAME, SlantModel, save_model
from .nblr import NBLogisticRegression
from .stacking import WordEvidenceStack, sentence_peaks, tagger_peaks
from .tagger import TermPolarity, TermTagger, label_tokens
from .tokens import tokenize

__all__ = [
    "TrainingConfig",
    "train",
    "train_and_save",
    "cross_validate",
    "search_C",
    "write_model_card",
    "DATA_SOURCES",
]

#: Folders of the data directory the default model reads, with their licences.
DATA_SOURCES = {
    "babe": "BABE (Spinde et al. 2021), AGPL-3.0 repository licence",
    "ptc": "Propaganda Techniques Corpus v2 (Da San Martino et al. 2019), citation requested, "
    "no licence file",
    "basil": "BASIL (Fan et al. 2019), no licence file",
    "checkthat-subj-en": "CLEF 2025 CheckThat! Task 1 English, CC BY-NC-SA 4.0",
    "lexicons": "Recasens et al. 2013 and friends (MIT); MPQA subjectivity clues (GPL)",
}

_LEXICONS_FOR_FEATURES = (
    "npov", "hedges", "factives", "assertives", "implicatives", "report_verbs",
    "positive", "negative", "mpqa_strong", "mpqa_weak",
)
#: The tagger also reads Riloff's strong/weak subjectives (grouped 5-fold CV on the
#: training part: BABE word F1 +0.009, PTC -0.002 on their own).
_LEXICONS_FOR_TAGGER = (*_LEXICONS_FOR_FEATURES, "strong_subjective", "weak_subjective")


#: Words that intensify the next one, for the tagger's intensified pairs ("huge success").
#: Written for Slant; size words news also uses literally ("big", "great", "major") are
#: left out, so that "great deal" is not a pair.
INTENSIFIERS = tuple(sorted(set("""
    huge hugely massive massively enormous enormously tremendous tremendously immense
    immensely colossal gigantic mammoth monumental staggering staggeringly whopping
    resounding spectacular spectacularly phenomenal phenomenally stunning stunningly
    astonishing astonishingly astounding incredible incredibly unbelievable unbelievably
    extraordinary extraordinarily remarkable remarkably unprecedented overwhelming
    overwhelmingly utter utterly sheer outright absolute absolutely total totally complete
    completely extremely exceedingly insanely wildly terribly awfully deeply truly
    thoroughly downright blatant blatantly flagrant flagrantly epic historic
""".split())))


class TrainingConfig(dict):
    """Hyper-parameters of a training run (a plain dict, stored in the metadata)."""

    DEFAULTS = {
        "seed": 0,
        "C_loaded": 4.0,
        "C_stance": 2.0,
        "nb_power": 0.5,
        "C_tagger": 0.5,
        # Token weight of each span corpus in the tagger (0 drops it). BABE's single
        # biased words are few next to PTC's phrases; weighting them up lifted BABE word
        # F1 by 0.05 in grouped CV for a 0.01 loss on PTC.
        # With the neighbour-lexicon and bigram features below, BABE weight 4 (instead of
        # 3) kept BABE word F1 level while PTC gained 0.012 (grouped 5-fold CV).
        "tagger_weights": {"ptc": 1.0, "babe": 4.0, "basil": 1.0},
        # Lexicons of the previous/next word as tagger features (CV: PTC +0.014).
        "tagger_neighbour_lexicons": True,
        # Word bigrams seen this often become tagger features (0 turns them off).
        "tagger_bigram_min_count": 2,
        # Smoothing of each word's learned in-span rate, a tagger feature for the word and
        # its neighbours (0 turns it off): pseudo-occurrences at the overall rate added to
        # each word's counts. Grouped 5-fold CV on the training part, alone: PTC +0.010,
        # BABE +0.010, BASIL -0.003 word F1 at 5 (at 20: +0.008, +0.014, +0.000).
        "tagger_span_rates": 5.0,
        # The same for being inside any PTC propaganda technique's span (weak supervision
        # from PTC's other 13 techniques). Grouped 5-fold CV of the whole recipe with both
        # rates: PTC .239, BABE .418, BASIL .126 token F1 at 5; .233, .414, .128 at 20.
        # At 20 "storm" (BABE marks "a storm of anarchy") joined "wreaked havoc".
        "tagger_technique_rates": 5.0,
        # An intensifier (INTENSIFIERS) directly followed by a word of these lexicons is a
        # pair; both its words score at least the pairs' in-span rate in training (about
        # 0.32). Tagger-only grouped 5-fold CV: PTC .2392 -> .2407 token F1, BABE .4195 ->
        # .4192, BASIL .1227 -> .1223; "scored a huge success" gives "huge success".
        # Empty turns it off.
        "tagger_intensified_lexicons": ["positive", "negative"],
        "char_ngrams": True,
        "shape_features": False,
        "calibration_folds": 5,
        # Heads whose probability is combined with the tagger's strongest word in the
        # sentence (classifier.stacking). Grouped 5-fold CV on the training part: bias
        # macro-F1 .729 -> .751 (gains in all folds), opinion .776 -> .786 (all folds),
        # subjectivity .709 -> .711 (mixed folds), ECE lower on all three means. Scoring
        # costs little (the analyzer runs the tagger anyway); training fits four more
        # taggers for the out-of-fold peaks.
        "stack_heads": ["loaded", "stance"],
        "max_sentences": None,
        # Generic labelled files trained on beside the corpora: [task, path] pairs
        # (classifier.datasets.load_extra); empty for the default model.
        "extra": [],
        "cv_folds": None,
        "search": False,
    }

    def __init__(self, **overrides: Any) -> None:
        unknown = set(overrides) - set(self.DEFAULTS)
        if unknown:
            raise TypeError(f"unknown training options: {', '.join(sorted(unknown))}")
        super().__init__({**self.DEFAULTS, **overrides})


def _labelled(records, attribute):
    records = [r for r in records if getattr(r, attribute) is not None]
    return records, np.array([getattr(r, attribute) for r in records], dtype=int)


def _records(train_of, *names: str) -> list[LabelledSentence]:
    """The records of the named corpora that are present (``extra`` only is optional)."""
    return [r for name in names for r in train_of.get(name, ())]


def _vocabulary_texts(train_of) -> list[str]:
    """The texts the sentence features learn their vocabulary and idf from."""
    return [r.text for r in _records(train_of, "babe", "checkthat", "basil", "extra")]


def _head_training_sets(train_of) -> dict[str, tuple[list[LabelledSentence], np.ndarray]]:
    """Records and labels of each sentence head: ``loaded`` learns BABE bias, ``stance``
    BABE opinion pooled with CheckThat! subjectivity; extra files join the head of
    their task."""
    opinion, y_opinion = _labelled(_records(train_of, "babe", "extra"), "opinion")
    subjective, y_subjective = _labelled(_records(train_of, "checkthat", "extra"), "subjective")
    return {"loaded": _labelled(_records(train_of, "babe", "extra"), "bias"),
            "stance": (opinion + subjective, np.concatenate([y_opinion, y_subjective]))}


def _group_folds(records: list[LabelledSentence], n_splits: int):
    groups = [f"{r.source}:{r.group}" for r in records]
    n_splits = min(n_splits, len(set(groups)))
    return list(GroupKFold(n_splits=n_splits).split(np.zeros(len(records)), groups=groups))


def _head_estimator(C: float, config: TrainingConfig) -> NBLogisticRegression:
    """The linear model of a sentence head: NB-weighted logistic regression (grouped CV on
    the training part: +0.01 ROC AUC on bias and opinion over a plain one)."""
    return NBLogisticRegression(C=C, power=config["nb_power"], random_state=int(config["seed"]))


def _calibrated_head(C: float, config: TrainingConfig, folds) -> CalibratedClassifierCV:
    # ensemble=False: one linear model fitted on all the data, plus a sigmoid fitted on
    # out-of-fold scores; scoring costs one model, not one per fold.
    return CalibratedClassifierCV(_head_estimator(C, config), method="sigmoid", cv=folds,
                                  ensemble=False)


def _best_threshold(labels: np.ndarray, scores: np.ndarray) -> float:
    """Token threshold maximising F1 of ``scores`` against ``labels``."""
    candidates = np.round(np.arange(0.05, 0.6, 0.01), 2)
    f1s = []
    for threshold in candidates:
        predicted = scores >= threshold
        tp = float((predicted & (labels == 1)).sum())
        f1s.append(2 * tp / max(predicted.sum() + labels.sum(), 1))
    return float(candidates[int(np.argmax(f1s))])


#: Folds of the span-labelled training sentences for the tagger's out-of-fold scores.
_TAGGER_FOLDS = 5


def _cross_fitted_taggers(make_tagger, span_train: list[LabelledSentence], weights, folds,
                          folds_to_fit) -> dict[int, tuple[list[int], np.ndarray, np.ndarray]]:
    """Taggers fitted without one fold of articles/events each, scoring that fold.

    Returns fold -> (indices of the held sentences, their word counts, their word
    probabilities laid out as :meth:`TermTagger.token_probabilities` returns them).
    """
    scored = {}
    for k in folds_to_fit:
        fit_idx, held_idx = folds[k]
        part = _fit_tagger(make_tagger(), [span_train[i] for i in fit_idx], weights[fit_idx])
        _, lengths, probabilities = part.token_probabilities(
            [span_train[i].text for i in held_idx])
        scored[k] = (held_idx.tolist(), lengths, probabilities)
    return scored


def _fit_tagger(tagger: TermTagger, records: list[LabelledSentence], weights) -> TermTagger:
    """Fit ``tagger`` on span-labelled records (with their technique spans when it uses them)."""
    extra = ({"technique_spans": [r.technique_spans for r in records]}
             if tagger.technique_rates else {})
    return tagger.fit([r.text for r in records], [r.spans for r in records],
                      sample_weight=weights, **extra)


def _baseline(train_records, attribute, test_records, seed):
    """The floor the issue compares against: TF-IDF word+char logistic regression."""
    records, y = _labelled(train_records, attribute)
    test, y_test = _labelled(test_records, attribute)
    if len(set(y)) < 2 or not test:
        return None
    model = make_pipeline(
        TfidfVectorizer(tokenizer=tokenize, token_pattern=None, ngram_range=(1, 2),
                        sublinear_tf=True, min_df=2),
        LogisticRegression(max_iter=3000, class_weight="balanced", random_state=seed),
    ).fit([r.text for r in records], y)
    probabilities = model.predict_proba([r.text for r in test])[:, 1]
    return sentence_metrics(y_test, probabilities)["macro_f1"]


def _word_lists(lexicons: dict[str, dict[str, str]], names) -> dict[str, tuple[str, ...]]:
    """The ``names`` lexicons as sorted word tuples: estimator parameters that pickle the
    same in every process (a set's order follows the process's string hashing)."""
    return {k: tuple(sorted(v)) for k, v in lexicons.items() if k in names}


def _fit_model(train_of: dict[str, list[LabelledSentence]], lexicons: dict[str, dict[str, str]],
               config: TrainingConfig, say: Callable[[str], None]) -> tuple[SlantModel, float]:
    """Fit every part of a model on training records; returns (model, term threshold)."""
    seed = int(config["seed"])
    feature_lexicons = _word_lists(lexicons, _LEXICONS_FOR_FEATURES)

    say("fitting sentence features")
    features = build_sentence_features(feature_lexicons, char_ngrams=config["char_ngrams"],
                                       shape_features=config["shape_features"])
    features.fit(_vocabulary_texts(train_of))

    heads, head_sets = {}, {}
    training_sets = _head_training_sets(train_of)
    for head, message, C in (
        ("loaded", "fitting the loaded-language head (BABE bias)", config["C_loaded"]),
        ("stance", "fitting the stance head (BABE opinion + CheckThat! subjectivity)",
         config["C_stance"]),
    ):
        records, y = training_sets[head]
        say(message)
        matrix = features.transform([r.text for r in records])
        folds = _group_folds(records, config["calibration_folds"])
        heads[head] = _calibrated_head(C, config, folds).fit(matrix, y)
        head_sets[head] = (records, y, matrix, folds)

    say("preparing the loaded-term tagger (PTC, BABE, BASIL spans)")
    corpus_weight = config["tagger_weights"]
    span_parts = [(corpus_weight.get(name, 1.0), r) for name in ("ptc", "babe", "basil", "extra")
                  for r in train_of.get(name, ())
                  if r.spans is not None and corpus_weight.get(name, 1.0) > 0]
    span_train = [r for _, r in span_parts]
    weights = np.array([weight for weight, _ in span_parts])

    tagger_lexicons = _word_lists(lexicons, _LEXICONS_FOR_TAGGER)

    def make_tagger():
        return TermTagger(lexicons=tagger_lexicons, C=config["C_tagger"],
                          neighbour_lexicons=config["tagger_neighbour_lexicons"],
                          bigram_min_count=config["tagger_bigram_min_count"],
                          span_rates=config["tagger_span_rates"],
                          technique_rates=config["tagger_technique_rates"],
                          intensifiers=INTENSIFIERS,
                          pair_lexicons=tuple(config["tagger_intensified_lexicons"]))

    stacked = [head for head in config["stack_heads"] if head in heads]
    # One fold's out-of-fold word scores choose the term threshold; the stacked heads need
    # every fold's (for each sentence's strongest word).
    folds = _group_folds(span_train, _TAGGER_FOLDS)
    threshold_fold = seed % len(folds)
    if stacked:
        say(f"cross-fitting {len(folds)} taggers for the term threshold and the "
            f"strongest-word stack on {', '.join(stacked)}")
    scored = _cross_fitted_taggers(make_tagger, span_train, weights, folds,
                                   range(len(folds)) if stacked else [threshold_fold])
    held_idx, _, probabilities = scored[threshold_fold]
    labels = np.array([label for i in held_idx
                       for label in label_tokens(span_train[i].text, span_train[i].spans)[1]])
    threshold = _best_threshold(labels, probabilities)

    say("fitting the loaded-term tagger on all span-labelled sentences")
    tagger = _fit_tagger(make_tagger().set_params(threshold=threshold), span_train, weights)

    stacks = {}
    if stacked:
        peak_of = {id(span_train[i]): float(peak) for held_idx, lengths, probabilities
                   in scored.values()
                   for i, peak in zip(held_idx, sentence_peaks(lengths, probabilities),
                                      strict=True)}
        for head in stacked:
            records, y, matrix, folds = head_sets[head]
            head_oof = _out_of_fold_probabilities(heads[head], matrix, y, folds)
            peaks = np.array([peak_of.get(id(r), np.nan) for r in records])
            # Sentences the tagger never trained on (CheckThat!): the final tagger's peaks
            # are already out of sample.
            unseen = np.flatnonzero(np.isnan(peaks))
            if len(unseen):
                peaks[unseen] = tagger_peaks(tagger, [records[i].text for i in unseen])
            stacks[head] = WordEvidenceStack().fit(np.column_stack([head_oof, peaks]), y)

    say("fitting term polarity")
    polarity_lexicon = {**lexicons.get("mpqa_strong", {}), **lexicons.get("mpqa_weak", {}),
                        **lexicons.get("positive", {}), **lexicons.get("negative", {})}
    polarity = TermPolarity(polarity_lexicon).fit(list(tagger.vocabulary_))
    model = SlantModel(features=features, heads=heads, tagger=tagger, polarity=polarity,
                       stacks=stacks)
    return model, threshold


def _out_of_fold_probabilities(head: CalibratedClassifierCV, matrix, y, folds) -> np.ndarray:
    """Calibrated probabilities of a fitted head for its own training sentences, each from
    a linear model that did not see the sentence's article/event.

    These are the out-of-fold decisions the head's sigmoid was fitted on (the same folds
    and estimator, so the same values), passed through that sigmoid.
    """
    calibrated = head.calibrated_classifiers_[0]
    decision = cross_val_predict(clone(calibrated.estimator), matrix, y, cv=folds,
                                 method="decision_function")
    calibrator = calibrated.calibrators[0]
    return 1.0 / (1.0 + np.exp(calibrator.a_ * decision + calibrator.b_))


def _cv_partition(train_of: dict[str, list[LabelledSentence]], n_splits: int):
    """Fold index of every record: grouped K-fold by ``source:group`` within each corpus."""
    fold_of = {}
    for name, records in train_of.items():
        folds = np.zeros(len(records), dtype=int)
        if records:
            for k, (_, test) in enumerate(_group_folds(records, n_splits)):
                folds[test] = k
        fold_of[name] = folds
    return fold_of


def cross_validate(data_dir: Path | str, config: TrainingConfig | None = None,
                   n_splits: int = 5,
                   progress: Callable[[str], None] | None = None) -> dict[str, Any]:
    """Grouped K-fold cross-validation of the whole training recipe on the training part.

    Each fold refits everything (features, heads, tagger and its threshold) on the other
    folds and scores the held-back articles/events with :func:`evaluate_model`. The
    held-out split is never touched, so these figures are the ones to compare while
    developing; the held-out metrics are for the final report only.

    Returns
    -------
    dict
        ``{"folds": K, "mean": metrics averaged over folds, "per_fold": [metrics, ...]}``
        with the same layout as :func:`classifier.evaluation.evaluate_model`.
    """
    config = config or TrainingConfig()
    say = progress or (lambda message: None)
    say("loading corpora")
    train_of, _ = splits_for(data_dir, config)
    lexicons = load_lexicons(data_dir)
    fold_of = _cv_partition(train_of, n_splits)
    per_fold = []
    for k in range(n_splits):
        fit_of = {n: [r for r, f in zip(rs, fold_of[n], strict=True) if f != k]
                  for n, rs in train_of.items()}
        val_of = {n: [r for r, f in zip(rs, fold_of[n], strict=True) if f == k]
                  for n, rs in train_of.items()}
        def fold_say(message: str, k: int = k) -> None:
            say(f"fold {k + 1}/{n_splits}: {message}")

        model, threshold = _fit_model(fit_of, lexicons, config, fold_say)
        per_fold.append(evaluate_model(model, *evaluation_sets(val_of), threshold))
    return {"folds": n_splits, "mean": _mean_metrics(per_fold), "per_fold": per_fold}


_COUNT_KEYS = ("n", "tokens", "positive_tokens")


def _mean_metrics(per_fold: list[dict[str, Any]]) -> dict[str, Any]:
    mean: dict[str, Any] = {}
    for section in ("sentences", "terms"):
        mean[section] = {}
        # A small set (an extra file) can be missing from some folds.
        for name in dict.fromkeys(n for fold in per_fold for n in fold[section]):
            rows = [fold[section][name] for fold in per_fold if name in fold[section]]
            mean[section][name] = {
                # counts are summed over the folds (every record is scored once), rates averaged
                key: (int(sum(r[key] for r in rows)) if key in _COUNT_KEYS
                      else round(float(np.mean([r[key] for r in rows])), 4)
                      if all(isinstance(r[key], int | float) for r in rows) else rows[0][key])
                for key in rows[0]
            }
    return mean


#: Grid of ``--search``: inverse regularisation strengths tried for each sentence head.
SEARCH_GRID = {"C_loaded": (1.0, 2.0, 4.0, 8.0), "C_stance": (1.0, 2.0, 4.0, 8.0)}


def search_C(train_of: dict[str, list[LabelledSentence]], lexicons, config: TrainingConfig,
             n_splits: int = 5, progress: Callable[[str], None] | None = None) -> dict[str, Any]:
    """Choose ``C_loaded`` and ``C_stance`` from :data:`SEARCH_GRID` by grouped K-fold CV.

    The sentence features are fitted once on all training texts (unsupervised: the
    vocabulary and idf see no label); for every C the head's linear model (uncalibrated) is fitted
    on K-1 folds and scored by ROC AUC on the remaining fold (threshold-free, so it does
    not depend on the calibration fitted afterwards). The stance head's score is the mean
    of its BABE-opinion and CheckThat! AUCs. Ties keep the smaller C.

    Returns
    -------
    dict
        ``{"C_loaded": best, "C_stance": best, "scores": {name: {C: mean AUC}}}``
    """
    from sklearn.metrics import roc_auc_score

    say = progress or (lambda message: None)
    feature_lexicons = _word_lists(lexicons, _LEXICONS_FOR_FEATURES)
    features = build_sentence_features(feature_lexicons, char_ngrams=config["char_ngrams"],
                                       shape_features=config["shape_features"])
    features.fit(_vocabulary_texts(train_of))
    training_sets = _head_training_sets(train_of)
    tasks = {"C_loaded": training_sets["loaded"], "C_stance": training_sets["stance"]}
    result: dict[str, Any] = {"scores": {}}
    for name, (records, y) in tasks.items():
        say(f"searching {name} over {SEARCH_GRID[name]}")
        matrix = features.transform([r.text for r in records])
        sources = np.array([r.source for r in records])
        folds = _group_folds(records, n_splits)
        scores = {}
        for C in SEARCH_GRID[name]:
            aucs = []
            for fit_idx, val_idx in folds:
                model = _head_estimator(C, config)
                model.fit(matrix[fit_idx], y[fit_idx])
                value = model.decision_function(matrix[val_idx])
                per_source = [roc_auc_score(y[val_idx][sources[val_idx] == s],
                                            value[sources[val_idx] == s])
                              for s in sorted(set(sources[val_idx]))
                              if len(set(y[val_idx][sources[val_idx] == s])) == 2]
                aucs.append(np.mean(per_source))
            scores[C] = round(float(np.mean(aucs)), 4)
        result["scores"][name] = scores
        result[name] = max(scores, key=lambda C: (scores[C], -C))
    return result


def train(data_dir: Path | str, config: TrainingConfig | None = None,
          progress: Callable[[str], None] | None = None) -> tuple[SlantModel, dict[str, Any]]:
    """Train a model from the corpora in ``data_dir``.

    With ``config["search"]`` the sentence heads' C values are first chosen by grouped
    cross-validation on the training part (:func:`search_C`); with ``config["cv_folds"]``
    the whole recipe is also cross-validated there (:func:`cross_validate`) and the
    figures are stored under ``metadata["metrics"]["cv"]``.

    Returns
    -------
    (SlantModel, metadata)
        The fitted model and its metadata (data hashes, config, held-out metrics).
    """
    config = TrainingConfig(**(config or {}))
    seed = int(config["seed"])
    say = progress or (lambda message: None)
    started = time.perf_counter()

    say("loading corpora")
    train_of, test_of = splits_for(data_dir, config)
    lexicons = load_lexicons(data_dir)

    search = None
    if config["search"]:
        search = search_C(train_of, lexicons, config, progress=say)
        config.update(C_loaded=search["C_loaded"], C_stance=search["C_stance"])
        say(f"search chose C_loaded={config['C_loaded']}, C_stance={config['C_stance']}")

    cv_metrics = None
    if config["cv_folds"]:
        cv_metrics = cross_validate(data_dir, config, int(config["cv_folds"]), progress=say)

    model, threshold = _fit_model(train_of, lexicons, config, say)

    say("evaluating on the held-out split")
    metrics = evaluate_model(model, *evaluation_sets(test_of), threshold)
    metrics["baseline_tfidf_lr_macro_f1"] = {
        "bias": _baseline(train_of["babe"], "bias", test_of["babe"], seed),
        "opinion": _baseline(train_of["babe"], "opinion", test_of["babe"], seed),
        "subjectivity": _baseline(train_of["checkthat"], "subjective", test_of["checkthat"], seed),
    }

    counts = {name: {"train": len(train_of[name]), "heldout": len(test_of[name])}
              for name in train_of}
    metadata = {
        "name": "slant-default",
        "version": __version__,
        "created": _dt.datetime.now(_dt.UTC).replace(microsecond=0).isoformat(),
        "term_threshold": threshold,
        "config": dict(config),
        "training_data": {
            "summary": "BABE, PTC Loaded_Language, BASIL lexical spans, CheckThat! 2025 "
                       "subjectivity, Recasens/MPQA lexicons (English news)",
            "sources": DATA_SOURCES,
            "sha256": data_fingerprint(data_dir, [d for d in DATA_SOURCES
                                                  if (Path(data_dir) / d).exists()]),
            **({"extra": _extra_summary(config["extra"], train_of, test_of)}
               if config["extra"] else {}),
            "sentences": counts,
            "heldout": f"{HELDOUT_PERCENT}% of articles/events, chosen by sha256 of the "
                       "article or event id (classifier.datasets.is_heldout)",
        },
        "metrics": {"heldout": metrics,
                    **({"cv": cv_metrics} if cv_metrics else {}),
                    **({"search": search} if search else {})},
        "training_seconds": round(time.perf_counter() - started, 1),
    }
    return model, metadata


def _extra_summary(extra, train_of, test_of) -> list[dict[str, Any]]:
    """What the metadata says of each extra file: path, task, sha256, sentence counts."""
    summary = []
    for task, path in extra:
        source = Path(path).stem
        summary.append({
            "path": str(path), "task": task,
            "sha256": hashlib.sha256(Path(path).read_bytes()).hexdigest(),
            "sentences": {part: sum(r.source == source for r in split["extra"])
                          for part, split in (("train", train_of), ("heldout", test_of))},
        })
    return summary


def train_and_save(data_dir: Path | str, output: Path | str,
                   config: TrainingConfig | None = None,
                   progress: Callable[[str], None] | None = None,
                   report: bool = False) -> tuple[SlantModel, Path]:
    """Train, then write the model directory (artifact, metadata, model card, and with
    ``report=True`` the report folder)."""
    model, metadata = train(data_dir, config, progress)
    directory = save_model(model, output, metadata)
    write_model_card(model.metadata, Path(directory) / CARD_NAME)
    if report:
        if progress:
            progress("writing the report")
        write_report(model, data_dir, directory)
    return model, Path(directory)


def _fmt(value) -> str:
    return "–" if value is None else f"{value:.3f}"


_SENTENCE_COLUMNS = ("task", "head", "sentences", "macro-F1", "baseline: TF-IDF word 1-2-gram LR",
                     "ROC AUC", "ECE", "ECE of a calibrated model: median / 95%")
_TERM_COLUMNS = ("corpus", "tokens", "precision", "recall", "F1")


def _table_head(columns: tuple[str, ...]) -> str:
    return f"| {' | '.join(columns)} |\n|{'---|' * len(columns)}"


def _stack_note(metadata: dict[str, Any], head: str) -> str:
    if head not in metadata["config"].get("stack_heads", ()):
        return ""
    return (";\n  its probability is then combined with the term tagger's strongest word in the\n"
            "  sentence by a logistic regression on both logits, fitted on out-of-fold values\n"
            "  of each (`classifier.stacking`)")


def _shape_note(metadata: dict[str, Any]) -> str:
    if not metadata["config"].get("shape_features"):
        return ""
    return (" and sentence-shape\n  indicators (quotation marks, attribution to a source, ! and ?,"
            " first/second\n  person, digits, word-count bins)")


def write_model_card(metadata: dict[str, Any], path: Path | str) -> None:
    """Render the model card from the metadata (the card holds no number of its own)."""
    metrics = metadata["metrics"]["heldout"]
    sentence_rows = "\n".join(
        f"| {task} | `{m['head']}` | {m['n']} | {_fmt(m['macro_f1'])} | "
        f"{_fmt(metrics.get('baseline_tfidf_lr_macro_f1', {}).get(task))} | "
        f"{_fmt(m['roc_auc'])} | {_fmt(m['ece'])} | {_fmt(m.get('ece_if_calibrated'))} / "
        f"{_fmt(m.get('ece_if_calibrated_p95'))} |"
        for task, m in metrics["sentences"].items()
    )
    term_rows = "\n".join(
        f"| {corpus} | {m['tokens']} | {_fmt(m['precision'])} | {_fmt(m['recall'])} | "
        f"{_fmt(m['f1'])} |"
        for corpus, m in metrics["terms"].items()
    )
    sources = "\n".join(f"- `{k}`: {v}" for k, v in metadata["training_data"]["sources"].items())
    for item in metadata["training_data"].get("extra", []):
        counts = item["sentences"]
        sources += (f"\n- extra `{item['path']}`: labelled for {item['task']}, "
                    f"{counts['train']} training and {counts['heldout']} held-out sentences, "
                    f"sha256 `{item['sha256'][:16]}…` (its licence is its owner's)")
    versions = ", ".join(f"{k} {v}" for k, v in metadata["versions"].items())
    shape_note, loaded_note = _shape_note(metadata), _stack_note(metadata, "loaded")
    text = f"""# Model card: {metadata['name']} {metadata['version']}

Generated from `metadata.json` by `classifier.training.write_model_card`; edit the code,
not this file.

## Intended use
Research, teaching and media-literacy tools: highlighting where English news text uses
loaded language and where the writer's own evaluation shows. Not for judging outlets or
people, moderating content, or any automated decision about a person. Scores are
probabilities from a linear model trained on a few thousand annotated sentences; read
them as pointers for a human reader.

## Model
- `loaded`: calibrated NB-weighted logistic regression (features scaled by their
  naive-Bayes log-count ratio) over word 1-2-gram and character 2-5-gram TF-IDF plus
  lexicon shares{shape_note}, trained on BABE `label_bias`{loaded_note}.
- `stance`: the same features, trained on BABE `label_opinion` (any opinion vs entirely
  factual) pooled with CheckThat! SUBJ/OBJ{_stack_note(metadata, "stance")}.
- `terms`: a token-level logistic regression (word, neighbours, word bigrams, suffix,
  lexicon membership of the word and its neighbours, shape, learned rates of the word and
  its neighbours inside loaded spans and inside any PTC technique) plus a second stage
  over neighbours' scores, trained on PTC Loaded_Language, BABE biased words and BASIL
  lexical-bias spans; both words of an intensifier followed by a polar word score at
  least the share of such pairs' words annotated in training
  (token weights per corpus: {metadata['config'].get('tagger_weights')});
  threshold {metadata['term_threshold']} chosen on a validation fold of the training data.
- Polarity: MPQA/Hu & Liu lexicon, character n-gram model for unseen words.
- Trained with {versions}. Artifact sha256 `{metadata['artifact']['sha256']}`.

## Data and licences
{sources}

No copy of the corpora is distributed with Slant; the artifact holds what the model
learned from them (weights, vocabularies, lexicon word lists). Because of the licences
above (non-commercial, share-alike, AGPL, GPL or unstated), treat this model as a
research and media-literacy artifact.

## Metrics on the held-out split
{metadata['training_data']['heldout']}; never used for tuning.

{_table_head(_SENTENCE_COLUMNS)}
{sentence_rows}

ECE uses ten equal-width bins. On a few hundred sentences sampling noise alone gives a
sizeable ECE: the last column is the ECE a perfectly calibrated model with the same
scores shows on this many sentences (labels drawn from its own probabilities {NOISE_DRAWS:,}
times; median and 95th percentile, `classifier.evaluation.calibration_noise`). An ECE
below the 95th percentile cannot be told from perfect calibration on this split.

Loaded terms, token level (a token is positive when it lies inside an annotated span):

{_table_head(_TERM_COLUMNS)}
{term_rows}

## Limitations
- English news only; other languages get a warning and unreliable scores.
- BABE and PTC come largely from US political news and hyper-partisan outlets; topics,
  dialects and genres far from them (sports, science, local news) are scored less well.
- "Biased" follows BABE's annotators; a loaded sentence is not necessarily false or unfair,
  and a neutral-sounding sentence can still mislead by selection or omission.
- The term tagger sees words and their neighbours only: irony, negation and loaded words
  that are not loaded in context are missed or over-flagged.
- Terms follow what the corpora's annotators marked. Wording they rarely marked is rarely
  flagged, even when a reader would call it loaded. The one exception is a fixed list of
  intensifiers directly before a Hu & Liu positive or negative word ("huge success",
  "utterly shameful"): such a pair scores at least the share of pairs annotators marked
  (about 0.32), whatever the context, so a pair such as "total support" is flagged too
  (docs/model.md, tenth round).
- Quotation detection is rule based; unusual quoting styles may be misattributed.
"""
    Path(path).write_text(text, encoding="utf-8")


def write_report(model: SlantModel, data_dir: Path | str, directory: Path | str) -> Path:
    """Write ``report/`` into a model directory: ``metrics.json`` and, when matplotlib is
    installed, PR curves, confusion matrices and reliability diagrams as PNG."""
    from .report_plots import plot_report

    directory = Path(directory) / "report"
    directory.mkdir(parents=True, exist_ok=True)
    _, test_of = splits_for(data_dir, model.metadata.get("config", {}))
    (directory / "metrics.json").write_text(
        json.dumps(model.metadata["metrics"], indent=2) + "\n", encoding="utf-8"
    )
    plot_report(model, evaluation_sets(test_of)[0], directory)
    return directory
