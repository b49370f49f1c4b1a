"""Sentence-by-sentence analysis of one article: the heart of :func:`classifier.analyze`."""

from __future__ import annotations

import itertools
import operator
import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np

from .errors import (
    EmptyTextError,
    InputError,
    InvalidTextError,
    InvalidTypeError,
    ModelError,
    TextTooLongError,
)
from .language import is_probably_english
from .model import SlantModel, load_model
from .quotes import find_quotations, is_inside, quoted_flags
from .readability import readability_report, sentence_readability
from .results import AnalysisResult, ArticleSummary, SentenceResult, Term
from .sentences import split_sentences
from .stacking import sentence_peaks
from .tagger import grow_terms
from .textio import unpaired_surrogate
from .tokens import TokenizedTexts, token_bounds

__all__ = [
    "Analyzer",
    "analyze",
    "validate_text",
    "MAX_TEXT_CHARS",
    "LOADED_THRESHOLD",
    "CONTROL_CHARACTERS",
]

#: Longest text accepted, in characters (about 30,000 words: a long feature article).
MAX_TEXT_CHARS = 200_000
#: A sentence counts as loaded in ``article.loaded_share`` from this probability.
LOADED_THRESHOLD = 0.5
TOP_TERMS = 10
#: Articles :meth:`Analyzer.analyze_each` scores per call. Per 1,000-word article, one
#: call for 8 took about 15% less time than 8 calls, and one for 16 more than 8 did (the
#: TF-IDF sorts cost more per article there; BENCHMARKS.md, twelfth session).
BATCH_SIZE = 8

# C0 control characters other than ordinary whitespace, and DEL; NUL marks binary data.
# C1 characters (U+0080-U+009F) are let through: in real news they are mojibake from
# Windows-1252 text, and rejecting a whole article for one of them helps nobody.
#: Code points :func:`validate_text` rejects (the HTTP API's schema says the same).
CONTROL_CHARACTERS = frozenset(
    {c for c in range(0x20) if chr(c) not in "\t\n\r\x0b\x0c"} | {0x7F}
)
# A character class search runs in C over the text; str.translate with a dict falls back
# to a per-character dict look-up on non-ASCII text (~0.3 ms for a 5 kB article).
_CONTROL_PATTERN = re.compile(
    "[" + "".join(re.escape(chr(c)) for c in sorted(CONTROL_CHARACTERS)) + "]"
)


def validate_text(text: Any, *, field: str = "text", max_chars: int = MAX_TEXT_CHARS) -> str:
    """Check that ``text`` is analysable and return it unchanged.

    Raises
    ------
    InvalidTypeError
        ``text`` is not a ``str``.
    EmptyTextError
        It is empty or only whitespace.
    TextTooLongError
        It has more than ``max_chars`` characters.
    InvalidTextError
        It holds NUL bytes, other control characters or unpaired surrogates.
    """
    if not isinstance(text, str):
        raise InvalidTypeError(
            f"{field} must be a string, not {type(text).__name__}", field=field
        )
    if len(text) > max_chars:
        raise TextTooLongError(len(text), max_chars, field=field)
    if not text.strip():
        raise EmptyTextError(f"{field} is empty", field=field)
    control = _CONTROL_PATTERN.search(text)
    if control is not None:
        position = control.start()
        kind = "a NUL byte (binary data?)" if text[position] == "\0" else "a control character"
        raise InvalidTextError(
            f"{field} contains {kind} (U+{ord(text[position]):04X}) at character {position}",
            field=field,
        )
    surrogate = unpaired_surrogate(text)
    if surrogate is not None:
        raise InvalidTextError(
            f"{field} contains an unpaired surrogate at character {surrogate}", field=field
        )
    return text


@dataclass(frozen=True)
class _Options:
    terms: bool = True
    explain: bool = False


class _Unit(NamedTuple):
    """A text scored sentence by sentence: an article, or a title as one sentence."""

    text: str
    spans: list[tuple[int, int]]
    readability: list[dict[str, Any]] | None  # one entry per span


class Analyzer:
    """Analyses articles with one loaded model. Thread-safe: it holds no per-call state.

    Parameters
    ----------
    model : SlantModel, str or Path, optional
        A loaded model or a model directory; default :func:`~classifier.load_model`'s.
    max_chars : int
        Longest accepted text.
    """

    def __init__(self, model: SlantModel | str | Path | None = None, *,
                 max_chars: int = MAX_TEXT_CHARS) -> None:
        self.model = model if isinstance(model, SlantModel) else load_model(model)
        self.max_chars = max_chars
        self.term_threshold = float(self.model.metadata.get("term_threshold",
                                                           self.model.tagger.threshold))

    def analyze(self, text: str, title: str | None = None, *, readability: bool = True,
                terms: bool = True, explain: bool = False) -> AnalysisResult:
        """Analyse one article; see :func:`classifier.analyze`."""
        return self.analyze_many([(text, title)], readability=readability, terms=terms,
                                 explain=explain)[0]

    def analyze_many(self, documents: Sequence[str | tuple[str, str | None]], *,
                     readability: bool = True, terms: bool = True,
                     explain: bool = False) -> list[AnalysisResult]:
        """Analyse several articles together: ``[self.analyze(text, title) for ...]``.

        The results are the same as one call per article, but the sentences of all the
        articles are scored in one pass, so the fixed cost of each scoring step is paid
        once per call instead of once per article (see :data:`BATCH_SIZE`).

        Parameters
        ----------
        documents : sequence of str or (text, title)
            The articles, each a text or a ``(text, title)`` pair (title may be None).
        readability, terms, explain : bool
            As for :func:`classifier.analyze`.

        Raises
        ------
        InputError
            For the first unusable document; none is analysed then. :meth:`analyze_each`
            scores the others.
        """
        pairs = _pairs(documents)
        for text, title in pairs:
            self._validate(text, title)
        options = _Options(terms, explain)
        units, article_readability = [], []
        for text, title in pairs:
            spans = split_sentences(text)
            per_sentence, per_article = (readability_report(text, spans) if readability
                                         else (None, None))
            units.append(_Unit(text, spans, per_sentence))
            article_readability.append(per_article)
            if title is not None:
                # A headline is one unit even when it has inner punctuation.
                start, end = len(title) - len(title.lstrip()), len(title.rstrip())
                units.append(_Unit(title, [(start, end)],
                                   [sentence_readability(title[start:end])]
                                   if readability else None))
        scored = iter(self._score(units, options))
        results = []
        for (text, title), per_article in zip(pairs, article_readability, strict=True):
            sentences = next(scored)
            title_result = None if title is None else next(scored)[0]
            warnings = []
            if not is_probably_english(text):
                warnings.append(
                    "The text does not look like English. Slant's model is trained on English "
                    "news only, so these scores are unreliable."
                )
            results.append(AnalysisResult(
                model=self.model.info,
                title=title_result,
                sentences=sentences,
                article=self._summarise(sentences, per_article),
                warnings=warnings,
            ))
        return results

    def analyze_each(self, documents: Sequence[str | tuple[str, str | None]], *,
                     readability: bool = True, terms: bool = True, explain: bool = False,
                     batch_size: int = BATCH_SIZE) -> list[AnalysisResult | Exception]:
        """:meth:`analyze_many` for documents that may be bad: each gets its own result, or
        the exception its own analysis raises, so one bad document never costs the others
        theirs.

        Documents are checked one by one, then the valid ones are analysed
        ``batch_size`` at a time; a batch that fails unexpectedly is analysed again one
        document at a time, to find the one at fault.

        Raises
        ------
        ModelError
            The model failed: no document can be analysed.
        """
        pairs = _pairs(documents)
        outcomes: list[AnalysisResult | Exception | None] = [None] * len(pairs)
        valid = []
        for index, (text, title) in enumerate(pairs):
            try:
                self._validate(text, title)
            except InputError as exc:
                outcomes[index] = exc
            else:
                valid.append(index)
        options = {"readability": readability, "terms": terms, "explain": explain}
        for first in range(0, len(valid), batch_size):
            batch = valid[first:first + batch_size]
            try:
                results = self.analyze_many([pairs[i] for i in batch], **options)
            except ModelError:
                raise
            except Exception as exc:
                if len(batch) == 1:
                    outcomes[batch[0]] = exc
                    continue
                results = [self.analyze_each([pairs[i]], **options)[0] for i in batch]
            for index, result in zip(batch, results, strict=True):
                outcomes[index] = result
        return outcomes

    def _validate(self, text: Any, title: Any) -> None:
        validate_text(text, max_chars=self.max_chars)
        if title is not None:
            validate_text(title, field="title", max_chars=self.max_chars)

    def _score(self, units: list[_Unit], options: _Options) -> list[list[SentenceResult]]:
        """The sentence results of each unit (an article or a title), all scored at once."""
        texts = [unit.text[s:e] for unit in units for s, e in unit.spans]
        spans = [span for unit in units for span in unit.spans]
        model = self.model
        # The tagger runs once: its word probabilities give the terms, and each sentence's
        # strongest word also feeds the stacked heads (both of the default model's).
        stacked = bool(model.stacks)
        scored = (model.tagger.score_words(texts)
                  if texts and (options.terms or stacked) else None)
        tokens = None if scored is None else scored[:3]
        peaks = None if tokens is None else sentence_peaks(tokens[1], tokens[2])
        # The tagger's words, lower-cased, are the sentence model's tokens too, and their
        # ids in its vocabulary save the blocks their own look-ups.
        sentences = texts if scored is None else TokenizedTexts.from_words(
            texts, scored.words, scored.lowered, scored.word_ids)
        # The full feature matrix is only assembled for explanations; scores alone are
        # computed block by block.
        matrix = model.sentence_matrix(sentences) if texts and options.explain else None
        scores = model.score_sentences(sentences, matrix, peaks=peaks)
        loaded, stance = scores["loaded"].round(4).tolist(), scores["stance"].round(4).tolist()
        found = (self._terms(texts, spans, tokens, peaks) if options.terms and texts
                 else [[] for _ in texts])
        explanations = {}
        if options.explain and texts:
            strongest = _strongest_words(*tokens, peaks) if stacked else None
            explanations = {h: model.explain(matrix, h, strongest=strongest) for h in scores}
        results, first = [], 0  # first: the unit's first sentence among all of them
        for unit in units:
            text, quotations = unit.text, find_quotations(unit.text)
            quoted = quoted_flags(text, unit.spans, quotations)
            rows = []
            for index, (start, end) in enumerate(unit.spans):
                at = first + index
                terms = [Term(s, e, text[s:e], score, polarity, is_inside(quotations, s, e))
                         for s, e, score, polarity in found[at]]
                rows.append(SentenceResult(
                    index=index,
                    start=start,
                    end=end,
                    text=texts[at],
                    loaded=loaded[at],
                    stance=stance[at],
                    quoted=quoted[index],
                    terms=terms,
                    readability=None if unit.readability is None else unit.readability[index],
                    explain=(
                        {"terms": [t.text for t in terms],
                         **{h: explanations[h][at] for h in explanations}}
                        if options.explain else None
                    ),
                ))
            results.append(rows)
            first += len(unit.spans)
        return results

    def _terms(self, texts: list[str], spans: list[tuple[int, int]], tokens, peaks):
        """Loaded terms of every sentence as (start, end, score, polarity) in text offsets.

        ``tokens`` is the tagger's ``token_probabilities(texts)`` and ``peaks`` each
        sentence's highest word probability: only sentences with a word at the threshold
        are merged into terms (about 60% of news sentences). Their words' offsets and
        the words at the threshold are found for all of them at once. All terms get their
        polarity in one call: the polarity model's per-call overhead is far larger than
        its per-term cost.
        """
        _, lengths, probabilities = tokens
        threshold = self.term_threshold
        found: list[list[tuple[int, int, float]]] = [[] for _ in texts]
        reaching = peaks >= threshold
        hot = np.flatnonzero(reaching).tolist()
        starts, ends, counts = token_bounds([texts[i] for i in hot])
        # The same words as the tagger's, so its probabilities line up with the offsets.
        scores = probabilities[np.repeat(reaching, lengths)]
        last = np.cumsum(counts)
        first = last - counts
        # Each word at the threshold as (its sentence among the hot ones, its index there).
        seeds = np.flatnonzero(scores >= threshold)
        owners = np.searchsorted(last, seeds, side="right")
        seeds_by_sentence = zip(owners.tolist(), (seeds - first[owners]).tolist(), strict=True)
        starts, ends, scores = starts.tolist(), ends.tolist(), scores.tolist()
        first, last = first.tolist(), last.tolist()
        words = []
        for k, group in itertools.groupby(seeds_by_sentence, key=operator.itemgetter(0)):
            i, a, b = hot[k], first[k], last[k]
            sentence, offset = texts[i], spans[i][0]
            row = grow_terms(sentence, starts[a:b], ends[a:b], scores[a:b],
                             [seed for _, seed in group], threshold)
            found[i] = [(offset + s, offset + e, round(p, 4)) for s, e, p in row]
            words += [sentence[s:e] for s, e, _ in row]
        polarities = iter(self.model.polarity.predict(words) if words else [])
        return [[(*term, next(polarities)) for term in row] for row in found]

    def _summarise(self, sentences: list[SentenceResult],
                   readability: dict[str, Any] | None) -> ArticleSummary:
        author = [s for s in sentences if not s.quoted]
        quoted = [s for s in sentences if s.quoted]
        return ArticleSummary(
            loaded=_mean([s.loaded for s in author]),
            stance=_mean([s.stance for s in author]),
            loaded_share=_mean([float(s.loaded >= LOADED_THRESHOLD) for s in author]),
            sentences=len(sentences),
            author_sentences=len(author),
            quoted_sentences=len(quoted),
            quoted_loaded=_mean([s.loaded for s in quoted]),
            top_terms=_top_terms(sentences),
            readability=readability,
        )


def _pairs(documents) -> list[tuple[Any, Any]]:
    """Documents given as texts or (text, title) pairs, as pairs."""
    return [(document, None) if isinstance(document, str) else document
            for document in documents]


def _strongest_words(words: list[list[str]], lengths, probabilities,
                     peaks) -> list[tuple[str, float]]:
    """Each sentence's most loaded word (as written) and its probability; ("", 0.0) for a
    sentence without words."""
    out, start = [], 0
    for sentence_words, length, peak in zip(words, lengths.tolist(), peaks.tolist(),
                                            strict=True):
        if length:
            best = int(np.argmax(probabilities[start:start + length]))
            out.append((sentence_words[best], peak))
        else:
            out.append(("", 0.0))
        start += length
    return out


def _mean(values: list[float]) -> float | None:
    return round(sum(values) / len(values), 4) if values else None


def _top_terms(sentences: list[SentenceResult]) -> list[dict[str, Any]]:
    """The article's loaded terms grouped case-insensitively, strongest and most frequent first."""
    # [text, polarity, count, quoted, score]: the first occurrence names the group.
    grouped: dict[str, list[Any]] = {}
    for sentence in sentences:
        for term in sentence.terms:
            key = term.text.lower()
            entry = grouped.get(key)
            if entry is None:
                grouped[key] = [term.text, term.polarity, 1, 0 + term.quoted,
                                max(0.0, term.score)]
            else:
                entry[2] += 1
                entry[3] += term.quoted
                entry[4] = max(entry[4], term.score)
    ranked = sorted(grouped.values(), key=lambda e: (-e[4] * e[2], e[0]))
    return [
        {"text": text, "count": count, "quoted": quoted, "score": score, "polarity": polarity}
        for text, polarity, count, quoted, score in ranked[:TOP_TERMS]
    ]


_default: Analyzer | None = None
_default_lock = threading.Lock()


def default_analyzer() -> Analyzer:
    """The analyzer over the default model, loaded once per process on first use."""
    global _default
    with _default_lock:
        if _default is None:
            _default = Analyzer()
        return _default


def analyze(text: str, title: str | None = None, *, model: SlantModel | None = None,
            readability: bool = True, terms: bool = True,
            explain: bool = False) -> AnalysisResult:
    """Analyse one article sentence by sentence.

    Parameters
    ----------
    text : str
        The article body (at most ``MAX_TEXT_CHARS`` characters).
    title : str, optional
        The headline, scored on its own and reported as ``result.title``.
    model : SlantModel, optional
        Defaults to the model at ``$SLANT_MODEL`` or the committed default model.
    readability, terms, explain : bool
        Include per-sentence readability, loaded terms, and per-sentence explanations.

    Returns
    -------
    AnalysisResult
        ``result.to_dict()`` is the JSON schema documented in the README.

    Raises
    ------
    InputError
        (a :class:`~classifier.errors.SlantError`) for unusable text.
    ModelError
        when the model cannot be loaded or verified.
    """
    analyzer = default_analyzer() if model is None else Analyzer(model)
    return analyzer.analyze(text, title, readability=readability, terms=terms, explain=explain)
