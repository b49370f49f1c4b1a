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
  by ``task`` (``bias``, ``opinion`` or ``subjective``). :func:`read_generic` keeps the
  usable rows and lists the others by line; :func:`load_generic` accepts a file only
  when every row is usable.

A corpus file that does not match its format raises :class:`DataError` naming the file.
"""

from __future__ import annotations

import ast
import csv
import hashlib
import json
import unicodedata
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from .errors import DataError
from .textio import allow_long_csv_fields, unpaired_surrogate

__all__ = [
    "LabelledSentence",
    "load_babe",
    "load_ptc",
    "load_basil",
    "load_checkthat",
    "load_generic",
    "load_extra",
    "read_generic",
    "describe_problems",
    "RowProblem",
    "load_lexicons",
    "load_corpora",
    "is_heldout",
    "split_heldout",
    "data_fingerprint",
    "prepare_splits",
    "splits_for",
    "evaluation_sets",
    "HELDOUT_PERCENT",
    "GENERIC_TASKS",
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


@contextmanager
def _reading(path: Path):
    """Report what a malformed corpus file raises while being read as a DataError
    naming the file, instead of a traceback from deep inside a loader."""
    try:
        yield
    except DataError:
        raise
    except UnicodeDecodeError as exc:
        raise DataError(f"{path}: not UTF-8 text (byte {exc.start})") from exc
    except KeyError as exc:
        raise DataError(f"{path}: missing column or field {exc}") from exc
    except (ValueError, TypeError, IndexError, AttributeError, csv.Error) as exc:
        # json.JSONDecodeError is a ValueError; the others come from fields that are not
        # the type or shape the format prescribes.
        raise DataError(f"{path}: malformed ({exc})") from exc
    except OSError as exc:
        raise DataError(f"{path}: cannot be read ({exc.strerror or exc})") from exc


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
    with _reading(path), path.open(encoding="utf-8", newline="") as handle:
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
    with _reading(labels_path), labels_path.open(encoding="utf-8") as handle:
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
        with _reading(article), article.open(encoding="utf-8", newline="") as handle:
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
        annotation_path = root / "annotations" / article_path.parent.name / (
            article_path.stem + "_ann.json"
        )
        with _reading(article_path):
            article = json.loads(article_path.read_text(encoding="utf-8"))
            sentences = [s for paragraph in article["body-paragraphs"] for s in paragraph]
            if not all(isinstance(s, str) for s in sentences):
                raise TypeError("body-paragraphs must be lists of sentences")
            group = str(article["triplet-uuid"])
        lexical: dict[int, list[tuple[int, int, str]]] = {}
        if annotation_path.exists():
            with _reading(annotation_path):
                lexical = _basil_lexical_spans(
                    json.loads(annotation_path.read_text(encoding="utf-8")))
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
                    group=group,
                    source="basil",
                    spans=tuple((s, e) for s, e, _ in spans),
                    polarities=tuple(p for _, _, p in spans),
                )
            )
    if not records:
        raise DataError(f"no articles in {root}")
    return records


def _basil_lexical_spans(annotations: dict) -> dict[int, list[tuple[int, int, str]]]:
    """Body sentence index -> its lexical-bias spans (start, end, polarity)."""
    lexical: dict[int, list[tuple[int, int, str]]] = {}
    for span in annotations.get("phrase-level-annotations", []):
        # Spans on the headline have id "title"; only body sentences are indexed.
        if span.get("bias") != "lex" or not str(span.get("id", "")).startswith("p"):
            continue
        index = int(str(span["id"]).lstrip("p"))
        lexical.setdefault(index, []).append(
            (int(span["start"]), int(span["end"]), span.get("polarity", ""))
        )
    return lexical


# ---------------------------------------------------------------- CheckThat!
def load_checkthat(data_dir: Path | str, split: str = "train") -> list[LabelledSentence]:
    """CheckThat! 2025 English subjectivity sentences (``split`` is ``train`` or ``dev``)."""
    path = _require(Path(data_dir) / "checkthat-subj-en" / f"{split}_en.tsv")
    records = []
    with _reading(path), path.open(encoding="utf-8", newline="") as handle:
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
#: What a generic file's ``label`` can mean (the LabelledSentence attribute it sets), and
#: the name of the sentence set its metrics are reported under.
GENERIC_TASKS = {"bias": "bias", "opinion": "opinion", "subjective": "subjectivity"}


@dataclass(frozen=True)
class RowProblem:
    """A row of a generic file that could not be read: its line number and why."""

    line: int
    message: str


class _BadRow(Exception):
    """One row of a generic file is unusable (the message says why)."""


#: Problems listed in a DataError about a generic file; the rest are counted.
_PROBLEMS_SHOWN = 5


def _generic_rows(path: Path) -> Iterator[tuple[int, dict | _BadRow]]:
    """(line number, row) of each non-blank row; a row that cannot be parsed is a
    ``_BadRow`` in its place, so one bad line does not hide the others."""
    if path.suffix == ".jsonl":
        with _reading(path), path.open("rb") as handle:
            for number, raw in enumerate(handle, 1):
                try:
                    line = raw.decode("utf-8-sig")  # a byte-order mark is not JSON
                except UnicodeDecodeError:
                    yield number, _BadRow("not UTF-8 text")
                    continue
                if not line.strip():
                    continue
                try:
                    row = json.loads(line)
                except json.JSONDecodeError as exc:
                    yield number, _BadRow(f"malformed JSON ({exc.msg})")
                    continue
                yield number, row if isinstance(row, dict) else _BadRow("not a JSON object")
    elif path.suffix == ".csv":
        allow_long_csv_fields()
        # Undecodable bytes become lone surrogates, so only the rows holding them fail;
        # spreadsheets often save a byte-order mark before the header.
        with _reading(path), path.open(encoding="utf-8-sig", errors="surrogateescape",
                                       newline="") as handle:
            reader = csv.reader(handle)
            header = next(reader, [])
            if "text" not in header:
                raise DataError(f"{path}: no `text` column in the header")
            start = reader.line_num + 1
            for cells in reader:
                # A quoted cell may span lines: a row is reported at its first line.
                if cells:
                    yield start, dict(zip(header, cells, strict=False))
                start = reader.line_num + 1
    else:
        raise DataError(f"{path}: generic data must be .csv or .jsonl")


def _generic_record(row: dict, number: int, path: Path, task: str) -> LabelledSentence:
    """The record of one generic row; raises ``_BadRow`` saying what is wrong with it."""
    text = row.get("text")
    if text is None or (isinstance(text, str) and not text.strip()):
        raise _BadRow("missing text")
    if not isinstance(text, str):
        raise _BadRow(f"text must be a string, not {type(text).__name__}")
    if any(unpaired_surrogate(value) is not None
           for value in row.values() if isinstance(value, str)):
        raise _BadRow("not UTF-8 text")
    text = text.strip()
    label = row.get("label")
    label = None if label in ("", None) else _binary_label(label)
    spans = row.get("spans")
    try:
        if isinstance(spans, str):
            spans = json.loads(spans) if spans.strip() else None
        if spans is not None:
            spans = tuple(sorted((int(s), int(e)) for s, e in spans))
    except (TypeError, ValueError) as exc:
        raise _BadRow("spans must be a list of [start, end] pairs") from exc
    if spans is not None and any(not 0 <= s < e <= len(text) for s, e in spans):
        raise _BadRow("a span falls outside the text")
    group = row.get("group")
    return replace(
        LabelledSentence(text=text, group=f"row{number}" if group in ("", None) else str(group),
                         source=path.stem, spans=spans),
        **{task: label},
    )


def _binary_label(value) -> int:
    """0 or 1 from a cell or JSON value (``1``, ``"1"``, ``1.0``, ``true``...)."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        number = None
    if number not in (0.0, 1.0):
        raise _BadRow("label must be 0 or 1")
    return int(number)


def read_generic(path: Path | str, task: str = "bias"
                 ) -> tuple[list[LabelledSentence], list[RowProblem]]:
    """Every usable row of a generic labelled file, and a problem for each other row.

    The file is ``.csv`` or ``.jsonl`` with ``text``, ``label`` (0/1, read as ``task``:
    ``bias``, ``opinion`` or ``subjective``; empty when only ``spans`` are labelled),
    and optional ``spans`` (a JSON list of ``[start, end]`` pairs, a JSON string in CSV
    files) and ``group`` (rows without one are their own group).

    Raises
    ------
    DataError
        The task is unknown, or the file is missing, of another type, a CSV file without
        a ``text`` column, or unreadable as a whole.
    """
    if task not in GENERIC_TASKS:
        raise DataError(f"unknown task {task!r}; choose one of {', '.join(GENERIC_TASKS)}")
    path = _require(Path(path))
    records, problems = [], []
    for number, row in _generic_rows(path):
        try:
            if isinstance(row, _BadRow):
                raise row
            records.append(_generic_record(row, number, path, task))
        except _BadRow as exc:
            problems.append(RowProblem(number, str(exc)))
    return records, problems


def describe_problems(path: Path | str, problems: list[RowProblem]) -> str:
    """``path:line: message`` for the first problems, and how many more there are."""
    lines = [f"{path}:{p.line}: {p.message}" for p in problems[:_PROBLEMS_SHOWN]]
    if len(problems) > _PROBLEMS_SHOWN:
        lines.append(f"... and {len(problems) - _PROBLEMS_SHOWN:,} more bad rows")
    return "\n".join(lines)


def load_generic(path: Path | str, task: str = "bias") -> list[LabelledSentence]:
    """The rows of a generic labelled file (see :func:`read_generic`), all or nothing.

    Raises
    ------
    DataError
        As :func:`read_generic`, and when any row is unusable (the message lists the
        first ones by line) or there are no rows.
    """
    records, problems = read_generic(path, task)
    if problems:
        raise DataError(describe_problems(path, problems))
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


#: Sources of the corpora a generic file must not share its name with: a record's source
#: is part of its group (``source:group``), so equal names would mix their groups.
_CORPUS_SOURCES = ("babe", "ptc", "basil", "checkthat-train", "checkthat-dev")


def load_extra(extra: Iterable[tuple[str, Path | str]]) -> list[LabelledSentence]:
    """The records of generic files to train on beside the corpora.

    ``extra`` holds ``(task, path)`` pairs: each file's ``label`` is read as its task
    (see :func:`load_generic`; every row must be usable). A record's ``source`` is its
    file's name without the extension, which must differ between the files and from the
    corpora's sources.
    """
    records: list[LabelledSentence] = []
    seen: dict[str, Path] = {}
    for task, path in extra:
        path = Path(path)
        if path.stem in _CORPUS_SOURCES or path.stem in seen:
            other = seen.get(path.stem, "a corpus")
            raise DataError(f"{path}: extra files need distinct names; {path.stem!r} is "
                            f"also {other}")
        seen[path.stem] = path
        records += load_generic(path, task)
    return records


def prepare_splits(data_dir: Path | str, max_sentences: int | None = None, seed: int = 0,
                   extra: Iterable[tuple[str, Path | str]] = ()):
    """Load the corpora and split each into (train, held-out) by article or event.

    ``extra`` names generic files to use as well (:func:`load_extra`): their records are
    the corpus ``"extra"``, split by the same hash of their ``group``.

    Returns
    -------
    (train_of, test_of) : dicts of corpus name -> list of LabelledSentence
    """
    corpora = load_corpora(data_dir)
    extra = list(extra)
    if extra:
        corpora["extra"] = load_extra(extra)
    limit = max_sentences
    # CheckThat!'s train and dev files are pooled, then split by the same hash as the rest.
    corpora["checkthat"] = corpora["checkthat"] + corpora.pop("checkthat_dev")
    splits = {name: split_heldout(_thin(records, limit, seed)) for name, records in corpora.items()}
    return ({name: pair[0] for name, pair in splits.items()},
            {name: pair[1] for name, pair in splits.items()})


def splits_for(data_dir: Path | str, config) -> tuple[dict, dict]:
    """:func:`prepare_splits` as a training config (a mapping such as a model's
    ``metadata["config"]``) describes them: its sampling, seed and extra files."""
    return prepare_splits(data_dir, config.get("max_sentences"), int(config.get("seed", 0)),
                          config.get("extra", ()))


def evaluation_sets(records_of: dict[str, list[LabelledSentence]]):
    """(sentence_sets, term_sets) for :func:`classifier.evaluation.evaluate_model`."""
    sentence_sets = {"bias": records_of["babe"], "opinion": records_of["babe"],
                     "subjectivity": records_of["checkthat"]}
    term_sets = {name: records_of[name] for name in ("ptc", "babe", "basil")}
    # Each extra file is its own set: "bias:<name>" (or opinion:, subjectivity:) and, when
    # it has spans, the term set "<name>".
    extra = records_of.get("extra", [])
    for source in dict.fromkeys(r.source for r in extra):
        records = [r for r in extra if r.source == source]
        for attribute, task in GENERIC_TASKS.items():
            if any(getattr(r, attribute) is not None for r in records):
                sentence_sets[f"{task}:{source}"] = records
        if any(r.spans is not None for r in records):
            term_sets[source] = records
    return sentence_sets, term_sets
