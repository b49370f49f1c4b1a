"""Loaders for the labelled corpora Slant trains and evaluates on.

Every loader returns :class:`LabelledSentence` records: one sentence of news text,
the article (or event) it belongs to, and whichever labels its corpus provides
(``None`` where the corpus says nothing). Character ``spans`` mark loaded/biased
words inside the sentence; ``None`` means the corpus has no word-level labels,
an empty tuple means it has them and there are none.

Formats (see ``../shared/data/README.md`` for sources and licences):

- BABE: ``babe/babe_sg2_train.csv`` (``;``-separated; ``label_bias``,
  ``label_opinion``, ``biased_words``), grouped by ``news_link``.
- PTC: ``ptc/train-articles/article<ID>.txt`` + ``ptc/train-task-flc-tc.labels``
  (``Loaded_Language`` character spans), one sentence per line, grouped by article.
- BASIL: ``basil/articles/<year>/*.json`` + ``basil/annotations/<year>/*_ann.json``
  (``"bias": "lex"`` spans), grouped by event (``triplet-uuid``).
- CheckThat!: ``checkthat-subj-en/{train,dev}_en.tsv`` (SUBJ/OBJ), grouped by sentence.
- Generic: ``*.csv`` or ``*.jsonl`` with ``text``, ``label`` (0/1) and optional ``spans``
  (list of ``[start, end]``) and ``group`` columns; ``label`` is read as the task named
  by ``task`` (``bias``, ``opinion`` or ``subjective``).
"""

from __future__ import annotations

import ast
import csv
import hashlib
import json
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from .errors import DataError

__all__ = [
    "LabelledSentence",
    "load_babe",
    "load_ptc",
    "load_basil",
    "load_checkthat",
    "load_generic",
    "load_lexicons",
    "load_corpora",
    "is_heldout",
    "split_heldout",
    "data_fingerprint",
    "prepare_splits",
    "evaluation_sets",
    "HELDOUT_PERCENT",
]

#: Share of groups (articles/events) held out for the final evaluation, in percent.
HELDOUT_PERCENT = 20


@dataclass(frozen=True)
class LabelledSentence:
    """One labelled sentence. Labels are 1/0, or ``None`` when the corpus does not say."""

    text: str
    group: str
    source: str
    bias: int | None = None
    opinion: int | None = None
    subjective: int | None = None
    spans: tuple[tuple[int, int], ...] | None = None
    polarities: tuple[str, ...] | None = field(default=None, compare=False)
    #: PTC only: spans of every propaganda technique in the sentence (weak supervision).
    technique_spans: tuple[tuple[int, int], ...] | None = field(default=None, compare=False)


def _require(path: Path) -> Path:
    if not path.exists():
        raise DataError(f"missing data file or folder: {path}")
    return path


def is_heldout(source: str, group: str) -> bool:
    """Whether a group belongs to the held-out split.

    The decision hashes the group id, so it is stable across runs, data orderings and
    machines, and a whole article (or event) is always on one side.
    """
    digest = hashlib.sha256(f"{source}\x00{group}".encode()).hexdigest()
    return int(digest[:8], 16) % 100 < HELDOUT_PERCENT


def split_heldout(
    records: Iterable[LabelledSentence],
) -> tuple[list[LabelledSentence], list[LabelledSentence]]:
    """Split records into (train, held-out) by group; see :func:`is_heldout`."""
    train, heldout = [], []
    for record in records:
        (heldout if is_heldout(record.source, record.group) else train).append(record)
    return train, heldout


# ---------------------------------------------------------------- BABE
_BABE_OPINION = {
    "Entirely factual": 0,
    "Somewhat factual but also opinionated": 1,
    "Expresses writer’s opinion": 1,
    "Expresses writer's opinion": 1,
}
_BABE_BIAS = {"Biased": 1, "Non-biased": 0}


def _word_spans(text: str, words: Iterable[str]) -> tuple[tuple[int, int], ...]:
    """Spans of whole-word, case-insensitive occurrences of ``words`` in ``text``."""
    from .tokens import WORD_PATTERN

    wanted = {w.strip().lower() for w in words if w.strip()}
    spans = set()
    tokens = list(WORD_PATTERN.finditer(text))
    lowered = [t.group().lower() for t in tokens]
    for phrase in wanted:
        parts = WORD_PATTERN.findall(phrase)
        n = len(parts)
        if not n:
            continue
        for i in range(len(tokens) - n + 1):
            if lowered[i : i + n] == parts:
                spans.add((tokens[i].start(), tokens[i + n - 1].end()))
    return tuple(sorted(spans))


def load_babe(data_dir: Path | str) -> list[LabelledSentence]:
    """BABE SG2 sentences with bias, opinion and biased-word spans."""
    path = _require(Path(data_dir) / "babe" / "babe_sg2_train.csv")
    records = []
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle, delimiter=";"):
            text = row["text"].strip()
            if not text:
                continue
            try:
                words = ast.literal_eval(row.get("biased_words") or "[]")
            except (ValueError, SyntaxError):
                words = []
            records.append(
                LabelledSentence(
                    text=text,
                    group=row["news_link"],
                    source="babe",
                    bias=_BABE_BIAS.get(row["label_bias"]),
                    opinion=_BABE_OPINION.get(row["label_opinion"]),
                    spans=_word_spans(text, words),
                )
            )
    if not records:
        raise DataError(f"no sentences in {path}")
    return records


# ---------------------------------------------------------------- PTC
def load_ptc(data_dir: Path | str, technique: str = "Loaded_Language") -> list[LabelledSentence]:
    """PTC article lines with the character spans of one propaganda technique."""
    root = _require(Path(data_dir) / "ptc")
    labels_path = _require(root / "train-task-flc-tc.labels")
    spans_by_article: dict[str, list[tuple[int, int]]] = {}
    any_by_article: dict[str, list[tuple[int, int]]] = {}
    with labels_path.open(encoding="utf-8") as handle:
        for line in handle:
            parts = line.rstrip("\n").split("\t")
            if len(parts) != 4:
                continue
            span = (int(parts[2]), int(parts[3]))
            any_by_article.setdefault(parts[0], []).append(span)
            if parts[1] == technique:
                spans_by_article.setdefault(parts[0], []).append(span)
    records = []
    for article in sorted(_require(root / "train-articles").glob("article*.txt")):
        article_id = article.stem.removeprefix("article")
        # newline="" keeps "\r\n" as two characters so the corpus offsets line up.
        with article.open(encoding="utf-8", newline="") as handle:
            content = handle.read()
        spans = spans_by_article.get(article_id, [])
        any_spans = any_by_article.get(article_id, [])
        offset = 0
        for line in content.split("\n"):
            start, end = offset, offset + len(line)
            offset = end + 1
            stripped = line.strip()
            if not stripped:
                continue
            lead = len(line) - len(line.lstrip())
            base = start + lead
            records.append(
                LabelledSentence(
                    text=stripped,
                    group=article_id,
                    source="ptc",
                    bias=None,
                    spans=_clip_spans(spans, base, len(stripped)),
                    technique_spans=_clip_spans(any_spans, base, len(stripped)),
                )
            )
    if not records:
        raise DataError(f"no articles in {root}")
    return records


def _clip_spans(spans, base: int, length: int) -> tuple[tuple[int, int], ...]:
    """The parts of article-offset ``spans`` inside ``[base, base + length)``, relative to
    ``base``, sorted and without repeats."""
    inside = set()
    for s, e in spans:
        s, e = max(s, base), min(e, base + length)
        if s < e:
            inside.add((s - base, e - base))
    return tuple(sorted(inside))


# ---------------------------------------------------------------- BASIL
def load_basil(data_dir: Path | str) -> list[LabelledSentence]:
    """BASIL sentences with lexical-bias spans (and their polarity), grouped by event."""
    root = _require(Path(data_dir) / "basil")
    records = []
    for article_path in sorted((root / "articles").glob("*/*.json")):
        article = json.loads(article_path.read_text(encoding="utf-8"))
        annotation_path = root / "annotations" / article_path.parent.name / (
            article_path.stem + "_ann.json"
        )
        lexical: dict[int, list[tuple[int, int, str]]] = {}
        if annotation_path.exists():
            annotations = json.loads(annotation_path.read_text(encoding="utf-8"))
            for span in annotations.get("phrase-level-annotations", []):
                # Spans on the headline have id "title"; only body sentences are indexed.
                if span.get("bias") != "lex" or not str(span.get("id", "")).startswith("p"):
                    continue
                index = int(str(span["id"]).lstrip("p"))
                lexical.setdefault(index, []).append(
                    (int(span["start"]), int(span["end"]), span.get("polarity", ""))
                )
        sentences = [s for paragraph in article["body-paragraphs"] for s in paragraph]
        for index, sentence in enumerate(sentences):
            stripped = sentence.strip()
            if not stripped:
                continue
            lead = len(sentence) - len(sentence.lstrip())
            spans = []
            for s, e, polarity in lexical.get(index, []):
                s, e = max(s - lead, 0), min(e - lead, len(stripped))
                if s < e:
                    spans.append((s, e, polarity))
            spans.sort()
            records.append(
                LabelledSentence(
                    text=stripped,
                    group=article["triplet-uuid"],
                    source="basil",
                    spans=tuple((s, e) for s, e, _ in spans),
                    polarities=tuple(p for _, _, p in spans),
                )
            )
    if not records:
        raise DataError(f"no articles in {root}")
    return records


# ---------------------------------------------------------------- CheckThat!
def load_checkthat(data_dir: Path | str, split: str = "train") -> list[LabelledSentence]:
    """CheckThat! 2025 English subjectivity sentences (``split`` is ``train`` or ``dev``)."""
    path = _require(Path(data_dir) / "checkthat-subj-en" / f"{split}_en.tsv")
    records = []
    with path.open(encoding="utf-8", newline="") as handle:
        # The sentences contain bare double quotes: QUOTE_NONE reads them verbatim.
        for row in csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE):
            label = {"SUBJ": 1, "OBJ": 0}.get((row.get("label") or "").strip())
            text = (row.get("sentence") or "").strip()
            if label is None or not text:
                continue
            records.append(
                LabelledSentence(
                    text=text, group=row["sentence_id"], source=f"checkthat-{split}",
                    subjective=label,
                )
            )
    if not records:
        raise DataError(f"no sentences in {path}")
    return records


# ---------------------------------------------------------------- generic
_TASKS = ("bias", "opinion", "subjective")


def _generic_rows(path: Path) -> Iterator[tuple[int, dict]]:
    if path.suffix == ".jsonl":
        with path.open(encoding="utf-8") as handle:
            for number, line in enumerate(handle, 1):
                if line.strip():
                    try:
                        yield number, json.loads(line)
                    except json.JSONDecodeError as exc:
                        raise DataError(f"{path}:{number}: malformed JSON ({exc.msg})") from exc
    elif path.suffix == ".csv":
        with path.open(encoding="utf-8", newline="") as handle:
            for number, row in enumerate(csv.DictReader(handle), 2):
                yield number, row
    else:
        raise DataError(f"{path}: generic data must be .csv or .jsonl")


def load_generic(path: Path | str, task: str = "bias") -> list[LabelledSentence]:
    """A generic labelled file: ``text``, ``label`` (0/1), optional ``spans`` and ``group``.

    ``spans`` is a JSON list of ``[start, end]`` pairs (a JSON string in CSV files).
    Rows without a ``group`` are their own group.
    """
    if task not in _TASKS:
        raise DataError(f"unknown task {task!r}; choose one of {', '.join(_TASKS)}")
    path = _require(Path(path))
    records = []
    for number, row in _generic_rows(path):
        text = str(row.get("text") or "").strip()
        if not text:
            raise DataError(f"{path}:{number}: missing text")
        label = row.get("label")
        if label in ("", None):
            label = None
        else:
            try:
                label = int(label)
            except (TypeError, ValueError) as exc:
                raise DataError(f"{path}:{number}: label must be 0 or 1") from exc
            if label not in (0, 1):
                raise DataError(f"{path}:{number}: label must be 0 or 1")
        spans = row.get("spans")
        if isinstance(spans, str):
            spans = json.loads(spans) if spans.strip() else None
        if spans is not None:
            try:
                spans = tuple(sorted((int(s), int(e)) for s, e in spans))
            except (TypeError, ValueError) as exc:
                raise DataError(f"{path}:{number}: spans must be [start, end] pairs") from exc
            if any(not 0 <= s < e <= len(text) for s, e in spans):
                raise DataError(f"{path}:{number}: a span falls outside the text")
        records.append(
            replace(
                LabelledSentence(text=text, group=str(row.get("group") or f"row{number}"),
                                 source=path.stem, spans=spans),
                **{task: label},
            )
        )
    if not records:
        raise DataError(f"no rows in {path}")
    return records


# ---------------------------------------------------------------- lexicons
def _read_words(path: Path) -> list[str]:
    """The distinct words of a one-word-per-line list, sorted (a set would iterate in an
    order that changes with each process's string hashing, and so would the model)."""
    words = set()
    with path.open(encoding="latin-1") as handle:
        for line in handle:
            word = line.strip().lower()
            if word and not word.startswith((";", "#")):
                words.add(unicodedata.normalize("NFC", word))
    return sorted(words)


def load_lexicons(data_dir: Path | str) -> dict[str, dict[str, str]]:
    """Word lists used as features: name -> {word: polarity or ""}.

    Missing lexicon files are skipped, so a ``--data`` folder without ``lexicons/``
    still trains (with fewer features).
    """
    root = Path(data_dir) / "lexicons"
    lexicons: dict[str, dict[str, str]] = {}
    recasens = root / "recasens-and-friends"
    plain = {
        "npov": "npov_lexicon.txt",
        "hedges": "hedges_hyland2005.txt",
        "factives": "factives_hooper1975.txt",
        "assertives": "assertives_hooper1975.txt",
        "implicatives": "implicatives_karttunen1971.txt",
        "report_verbs": "report_verbs.txt",
        "strong_subjective": "strong_subjectives_riloff2003.txt",
        "weak_subjective": "weak_subjectives_riloff2003.txt",
    }
    for name, filename in plain.items():
        if (recasens / filename).exists():
            lexicons[name] = dict.fromkeys(_read_words(recasens / filename), "")
    for name, polarity in (("positive", "positive"), ("negative", "negative")):
        path = recasens / f"{name}_liu2005.txt"
        if path.exists():
            lexicons[name] = dict.fromkeys(_read_words(path), polarity)
    mpqa = root / "mpqa" / "subjclueslen1-HLTEMNLP05.tff"
    if mpqa.exists():
        strong, weak = {}, {}
        with mpqa.open(encoding="latin-1") as handle:
            for line in handle:
                fields = dict(p.split("=", 1) for p in line.split() if "=" in p)
                word = fields.get("word1", "").lower()
                if not word:
                    continue
                polarity = {"positive": "positive", "negative": "negative"}.get(
                    fields.get("priorpolarity", ""), ""
                )
                (strong if fields.get("type") == "strongsubj" else weak)[word] = polarity
        lexicons["mpqa_strong"] = strong
        lexicons["mpqa_weak"] = weak
    return lexicons


def load_corpora(data_dir: Path | str) -> dict[str, list[LabelledSentence]]:
    """All corpora Slant's default model trains on, keyed by name."""
    data_dir = Path(data_dir)
    if not data_dir.is_dir():
        raise DataError(f"data folder not found: {data_dir}")
    return {
        "babe": load_babe(data_dir),
        "ptc": load_ptc(data_dir),
        "basil": load_basil(data_dir),
        "checkthat": load_checkthat(data_dir, "train"),
        "checkthat_dev": load_checkthat(data_dir, "dev"),
    }


def data_fingerprint(data_dir: Path | str, names: Iterable[str]) -> dict[str, str]:
    """sha256 of each named file or folder (files hashed in sorted path order)."""
    data_dir = Path(data_dir)
    result = {}
    for name in names:
        path = data_dir / name
        digest = hashlib.sha256()
        files = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file())
        for file in files:
            digest.update(str(file.relative_to(data_dir)).encode())
            digest.update(file.read_bytes())
        result[name] = digest.hexdigest()
    return result


def _thin(records: list[LabelledSentence], limit: int | None, seed: int):
    """At most ``limit`` records, chosen by whole groups so articles stay intact."""
    if limit is None or len(records) <= limit:
        return records
    groups = sorted({r.group for r in records})
    rng = np.random.default_rng(seed)
    rng.shuffle(groups)
    keep, count = set(), 0
    sizes: dict[str, int] = {}
    for r in records:
        sizes[r.group] = sizes.get(r.group, 0) + 1
    for group in groups:
        if count >= limit:
            break
        keep.add(group)
        count += sizes[group]
    return [r for r in records if r.group in keep]


def prepare_splits(data_dir: Path | str, max_sentences: int | None = None, seed: int = 0):
    """Load the corpora and split each into (train, held-out) by article or event.

    Returns
    -------
    (train_of, test_of) : dicts of corpus name -> list of LabelledSentence
    """
    corpora = load_corpora(data_dir)
    limit = max_sentences
    # CheckThat!'s train and dev files are pooled, then split by the same hash as the rest.
    corpora["checkthat"] = corpora["checkthat"] + corpora.pop("checkthat_dev")
    splits = {name: split_heldout(_thin(records, limit, seed)) for name, records in corpora.items()}
    return ({name: pair[0] for name, pair in splits.items()},
            {name: pair[1] for name, pair in splits.items()})


def evaluation_sets(records_of: dict[str, list[LabelledSentence]]):
    """(sentence_sets, term_sets) for :func:`classifier.evaluation.evaluate_model`."""
    sentence_sets = {"bias": records_of["babe"], "opinion": records_of["babe"],
                     "subjectivity": records_of["checkthat"]}
    term_sets = {name: records_of[name] for name in ("ptc", "babe", "basil")}
    return sentence_sets, term_sets
