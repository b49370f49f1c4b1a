"""Reading corpora and writing scored records for :mod:`classifier.batch`.

Readers stream :class:`Document` objects (never the whole input) from ``.txt`` files,
folders of them, JSONL, CSV and Parquet. A record that cannot be read (malformed JSON,
undecodable bytes, no text) becomes a :class:`Document` carrying its error, so that it
keeps its place and its ordinal ``n`` and is reported, never silently dropped.

Writers turn scored records (the JSONL lines of the batch journal) into flat rows for
CSV and Parquet: one row per document with the article-level figures, or one row per
sentence.
"""

from __future__ import annotations

import csv
import json
import math
import os
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from .errors import InputError, SlantError
from .textio import allow_long_csv_fields, decode_text, unpaired_surrogate

__all__ = [
    "Document",
    "BatchError",
    "RecordError",
    "MalformedRecordError",
    "MissingTextError",
    "UnreadableRecordError",
    "InputSpec",
    "INPUT_FORMATS",
    "OUTPUT_FORMATS",
    "input_format_for",
    "output_format_for",
    "iter_documents",
    "count_documents",
    "record_for",
    "error_record_for",
    "dumps_record",
    "flatten_record",
    "ColumnRegistry",
]

INPUT_FORMATS = ("jsonl", "csv", "tsv", "parquet", "txt")
OUTPUT_FORMATS = ("jsonl", "csv", "parquet")

_INPUT_SUFFIXES = {".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "jsonl", ".csv": "csv",
                   ".tsv": "tsv", ".parquet": "parquet", ".pq": "parquet", ".txt": "txt",
                   ".text": "txt"}
_OUTPUT_SUFFIXES = {".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "jsonl", ".csv": "csv",
                    ".parquet": "parquet", ".pq": "parquet"}

#: Keys of an output record; input fields with these names are renamed ``input_<name>``.
RECORD_KEYS = frozenset({"n", "id", "line", "result", "error"})


# ------------------------------------------------------------------ errors
class BatchError(SlantError):
    """A batch run cannot start or go on: unreadable input, bad options, existing output."""

    code = "batch_error"


class RecordError(InputError):
    """One input record is unusable (a JSON line that is not an object...)."""

    code = "invalid_record"


class MalformedRecordError(RecordError):
    """A JSONL line is not valid JSON."""

    code = "malformed_json"


class MissingTextError(RecordError):
    """A record has no text field (or it is null)."""

    code = "missing_text"


class UnreadableRecordError(RecordError):
    """A file of a folder input cannot be read (permissions, vanished...)."""

    code = "unreadable"


# ------------------------------------------------------------------ documents
@dataclass(slots=True)
class Document:
    """One input document, or the error met while reading it.

    ``n`` is its 0-based ordinal in the input (the key of resumption); ``line`` the
    1-based line where it starts (JSONL, CSV) or its 1-based row (Parquet), when known.
    ``fields`` are the other input fields, passed through to the output.
    """

    n: int
    id: Any
    text: Any = None
    title: Any = None
    fields: dict[str, Any] = field(default_factory=dict)
    line: int | None = None
    error: dict[str, str] | None = None


def _error_dict(exc: SlantError) -> dict[str, str]:
    return {"code": exc.code, "message": exc.message}


@dataclass(frozen=True, slots=True)
class InputSpec:
    """Where and how to read a corpus.

    ``path`` is a file, a folder of ``.txt`` files or ``"-"`` (JSONL on standard input);
    the column names apply to JSONL fields as well as CSV/Parquet columns.
    """

    path: str
    format: str
    text_column: str = "text"
    id_column: str | None = None
    title_column: str | None = None

    @classmethod
    def create(cls, path: str | os.PathLike, format: str | None = None, *,
               text_column: str = "text", id_column: str | None = None,
               title_column: str | None = None) -> InputSpec:
        path = str(path)
        format = "dir" if path != "-" and Path(path).is_dir() else (
            format or input_format_for(path))
        if format not in INPUT_FORMATS + ("dir",):
            raise BatchError(f"unknown input format {format!r}; use one of "
                             f"{', '.join(INPUT_FORMATS)}")
        if path != "-" and not Path(path).exists():
            raise BatchError(f"no such file or folder: {path}")
        return cls(path, format, text_column, id_column, title_column)

    def describe(self) -> dict[str, Any]:
        """What identifies this input in a journal header (to refuse resuming another one)."""
        info: dict[str, Any] = {
            "path": self.path if self.path == "-" else str(Path(self.path).resolve()),
            "format": self.format, "text_column": self.text_column,
            "id_column": self.id_column, "title_column": self.title_column,
        }
        if self.path != "-" and Path(self.path).is_file():
            stat = Path(self.path).stat()
            info.update(size=stat.st_size, mtime_ns=stat.st_mtime_ns)
        return info


def input_format_for(path: str | os.PathLike) -> str:
    """The input format implied by a path: ``dir`` for folders, else by extension."""
    path = str(path)
    if path == "-":
        return "jsonl"
    if Path(path).is_dir():
        return "dir"
    suffix = Path(path).suffix.lower()
    if suffix not in _INPUT_SUFFIXES:
        raise BatchError(f"cannot tell the format of {path} from its extension; "
                         f"use --input-format ({', '.join(INPUT_FORMATS)})")
    return _INPUT_SUFFIXES[suffix]


def output_format_for(path: str | os.PathLike, format: str | None = None) -> str:
    """``format`` if given, else the output format implied by the path's extension."""
    if format:
        if format not in OUTPUT_FORMATS:
            raise BatchError(f"unknown output format {format!r}; use one of "
                             f"{', '.join(OUTPUT_FORMATS)}")
        return format
    suffix = Path(path).suffix.lower()
    if suffix not in _OUTPUT_SUFFIXES:
        raise BatchError(f"cannot tell the output format of {path} from its extension; "
                         f"use --format ({', '.join(OUTPUT_FORMATS)})")
    return _OUTPUT_SUFFIXES[suffix]


def iter_documents(spec: InputSpec, *, max_chars: int | None = None) -> Iterator[Document]:
    """Stream the documents of ``spec`` in input order, numbered from 0.

    Raises
    ------
    BatchError
        When the input as a whole cannot be read (missing file, missing text column).
    """
    readers = {"jsonl": _iter_jsonl, "csv": _iter_csv, "tsv": _iter_csv,
               "parquet": _iter_parquet, "txt": _iter_txt, "dir": _iter_dir}
    try:
        yield from readers[spec.format](spec, max_chars)
    except OSError as exc:
        raise BatchError(f"cannot read {spec.path}: {exc.strerror or exc}") from exc


def count_documents(spec: InputSpec) -> int | None:
    """How many documents ``spec`` holds (for a progress bar), or ``None`` if unknown."""
    try:
        if spec.path == "-":
            return None
        if spec.format == "txt":
            return 1
        if spec.format == "dir":
            return sum(1 for _ in _dir_files(Path(spec.path)))
        if spec.format == "parquet":
            import pyarrow.parquet as pq

            return pq.ParquetFile(spec.path).metadata.num_rows
        if spec.format == "jsonl":
            with open(spec.path, "rb") as f:
                return sum(1 for line in f if line.strip())
        allow_long_csv_fields()
        with open(spec.path, encoding="utf-8-sig", errors="surrogateescape", newline="") as f:
            return max(sum(1 for _ in csv.reader(f, delimiter=_delimiter(spec))) - 1, 0)
    except (OSError, csv.Error, ImportError):
        return None


def _fields(record: dict[str, Any], spec: InputSpec) -> dict[str, Any]:
    skip = {spec.text_column, spec.id_column or "id"}
    return {(f"input_{k}" if k in RECORD_KEYS else k): v
            for k, v in record.items() if k not in skip}


def _document(n: int, line: int, record: dict[str, Any], spec: InputSpec) -> Document:
    """A document from one JSONL object, CSV row or Parquet row."""
    id_column = spec.id_column or "id"
    doc_id = record.get(id_column)
    if doc_id is None or doc_id == "":
        doc_id = line
    title = record.get(spec.title_column or "title")
    if title is None or (isinstance(title, str) and not title.strip()):
        title = None
    text = record.get(spec.text_column)
    doc = Document(n, doc_id, text, title, _fields(record, spec), line)
    if text is None:
        doc.error = _error_dict(MissingTextError(
            f"no {spec.text_column!r} field" if spec.text_column not in record
            else f"{spec.text_column!r} is null"))
    elif isinstance(text, bytes):
        try:
            doc.text = decode_text(text, source=spec.text_column)
        except SlantError as exc:
            doc.error = _error_dict(exc)
    return doc


def _open_binary(path: str) -> BinaryIO:
    return sys.stdin.buffer if path == "-" else open(path, "rb")  # noqa: SIM115


def _iter_jsonl(spec: InputSpec, max_chars: int | None) -> Iterator[Document]:
    stream = _open_binary(spec.path)
    try:
        n = 0
        for line_no, raw in enumerate(stream, start=1):
            if not raw.strip():
                continue
            try:
                line = decode_text(raw, source=f"line {line_no}")
                record = json.loads(line)
            except SlantError as exc:
                yield Document(n, line_no, line=line_no, error=_error_dict(exc))
            except ValueError as exc:
                yield Document(n, line_no, line=line_no, error=_error_dict(
                    MalformedRecordError(f"line {line_no} is not valid JSON: {exc}")))
            else:
                if isinstance(record, dict):
                    yield _document(n, line_no, record, spec)
                else:
                    yield Document(n, line_no, line=line_no, error=_error_dict(RecordError(
                        f"line {line_no} is a JSON {type(record).__name__}, not an object "
                        f"with a {spec.text_column!r} field")))
            n += 1
    finally:
        if stream is not sys.stdin.buffer:
            stream.close()


def _delimiter(spec: InputSpec) -> str:
    return "\t" if spec.format == "tsv" else ","


def _check_columns(spec: InputSpec, columns: Iterable[str]) -> None:
    columns = list(columns)
    for option, name in (("--text-column", spec.text_column), ("--id-column", spec.id_column),
                         ("--title-column", spec.title_column)):
        if name is not None and name not in columns:
            raise BatchError(f"{spec.path} has no column {name!r} ({option}); its columns are: "
                             f"{', '.join(columns) or '(none)'}")


def _iter_csv(spec: InputSpec, max_chars: int | None) -> Iterator[Document]:
    allow_long_csv_fields()
    # Undecodable bytes survive as lone surrogates, reported per row below.
    with open(spec.path, encoding="utf-8-sig", errors="surrogateescape", newline="") as f:
        reader = csv.reader(f, delimiter=_delimiter(spec))
        try:
            header = next(reader)
        except StopIteration:
            raise BatchError(f"{spec.path} is empty (no header row)") from None
        _check_columns(spec, header)
        n, line_no = 0, reader.line_num + 1
        while True:
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                raise BatchError(f"{spec.path}, line {line_no}: malformed CSV: {exc}") from exc
            if not row or row == [""]:
                line_no = reader.line_num + 1
                continue
            record = dict(zip(header, row, strict=False))
            doc = _document(n, line_no, record, spec)
            if doc.error is None and isinstance(doc.text, str) and _has_escapes(doc.text):
                doc.error = _error_dict(_undecodable(doc.text, line_no))
            yield doc
            n, line_no = n + 1, reader.line_num + 1


def _has_escapes(text: str) -> bool:
    return any("\udc80" <= ch <= "\udcff" for ch in text)


def _undecodable(text: str, line_no: int) -> SlantError:
    from .errors import InvalidTextError

    position = next(i for i, ch in enumerate(text) if "\udc80" <= ch <= "\udcff")
    return InvalidTextError(f"line {line_no} is not UTF-8 text (undecodable byte "
                            f"0x{ord(text[position]) - 0xDC00:02x} at character {position})")


def _iter_parquet(spec: InputSpec, max_chars: int | None) -> Iterator[Document]:
    try:
        import pyarrow.parquet as pq
    except ImportError as exc:  # pragma: no cover - pyarrow is in the batch extra
        raise BatchError(
            "reading Parquet needs pyarrow (pip install '.[batch]')"
        ) from exc
    try:
        parquet = pq.ParquetFile(spec.path)
    except Exception as exc:  # pyarrow raises ArrowInvalid, OSError...
        raise BatchError(f"cannot read {spec.path} as Parquet: {exc}") from exc
    _check_columns(spec, parquet.schema_arrow.names)
    n = 0
    for batch in parquet.iter_batches(batch_size=1024):
        for record in batch.to_pylist():
            yield _document(n, n + 1, record, spec)
            n += 1


def _iter_txt(spec: InputSpec, max_chars: int | None) -> Iterator[Document]:
    path = Path(spec.path)
    yield _read_file(0, path, path.name, max_chars)


def _dir_files(root: Path) -> Iterator[Path]:
    """``.txt`` files under ``root``, recursively, sorted by path (hidden ones skipped)."""
    with os.scandir(root) as entries:
        listing = sorted((e.name, e.is_dir()) for e in entries if not e.name.startswith("."))
    for name, is_dir in listing:
        if is_dir:
            yield from _dir_files(root / name)
        elif name.lower().endswith(".txt"):
            yield root / name


def _iter_dir(spec: InputSpec, max_chars: int | None) -> Iterator[Document]:
    root = Path(spec.path)
    for n, path in enumerate(_dir_files(root)):
        yield _read_file(n, path, path.relative_to(root).as_posix(), max_chars)


def _read_file(n: int, path: Path, doc_id: str, max_chars: int | None) -> Document:
    from .textio import read_text_file

    try:
        return Document(n, doc_id, read_text_file(path, max_chars=max_chars))
    except SlantError as exc:
        return Document(n, doc_id, error=_error_dict(exc))
    except OSError as exc:
        return Document(n, doc_id, error=_error_dict(
            UnreadableRecordError(f"cannot read {path}: {exc.strerror or exc}")))


# ------------------------------------------------------------------ records
def record_for(doc: Document, result: dict[str, Any] | None = None,
               error: dict[str, str] | None = None) -> dict[str, Any]:
    """The output record of a document: ``n``, ``id``, its fields, and ``result`` or
    ``error`` (with ``line`` when known)."""
    record: dict[str, Any] = {"n": doc.n, "id": doc.id, **doc.fields}
    if error is not None:
        if doc.line is not None:
            record["line"] = doc.line
        record["error"] = error
    else:
        record["result"] = result
    return record


def error_record_for(record: dict[str, Any]) -> dict[str, Any]:
    """The line written to the errors file for a failed output record."""
    return {"n": record["n"], "line": record.get("line"), "id": record.get("id"),
            "error": record["error"]}


def _json_default(value: Any) -> Any:
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    return str(value)


def dumps_record(record: dict[str, Any]) -> str:
    """One JSON line (no newline); non-ASCII as is unless it cannot be encoded."""
    line = json.dumps(record, ensure_ascii=False, default=_json_default)
    if unpaired_surrogate(line) is None:
        return line
    # Lone surrogates in passthrough fields: written as \u escapes.
    return json.dumps(record, ensure_ascii=True, default=_json_default)


# ------------------------------------------------------------------ flat rows
ARTICLE_COLUMNS = ("error_code", "error_message", "model_name", "model_version",
                   "title_loaded", "title_stance", "loaded", "stance", "loaded_share",
                   "sentences", "author_sentences", "quoted_sentences", "quoted_loaded",
                   "top_terms", "warnings")
SENTENCE_COLUMNS = ("error_code", "error_message", "part", "sentence_index", "start", "end",
                    "sentence", "loaded", "stance", "quoted", "terms")
_FIXED = frozenset({"n", "id", *ARTICLE_COLUMNS, *SENTENCE_COLUMNS})


def encodable(text: str) -> str:
    """``text`` with each unpaired surrogate written as a backslash escape (``\\udce9``),
    as the JSONL output shows it. CSV and Parquet cells are UTF-8, which cannot hold one,
    and input can carry them: an undecodable byte in a CSV column (kept by
    ``surrogateescape``) or a ``"\\ud800"`` in a JSONL string."""
    if text.isascii() or unpaired_surrogate(text) is None:
        return text
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def _scalar(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return None if math.isnan(value) else value
    return json.dumps(value, ensure_ascii=False, default=_json_default)


def _readability(row: dict[str, Any], readability: dict[str, Any] | None) -> None:
    for key, value in (readability or {}).items():
        row[f"readability_{key}"] = _scalar(value)


def flatten_record(record: dict[str, Any], *, per_sentence: bool = False) -> list[dict[str, Any]]:
    """Flat rows (column -> scalar) for one output record.

    One row per document with the article-level figures, or with ``per_sentence`` one
    row per sentence (the title first, ``part="title"``). A failed document, or one
    without sentences, still gives one row. Lists and dicts become JSON strings.
    """
    base: dict[str, Any] = {"n": record["n"], "id": _scalar(record.get("id"))}
    for key, value in record.items():
        if key not in RECORD_KEYS:
            base[f"input_{key}" if key in _FIXED else key] = _scalar(value)
    error = record.get("error")
    result = record.get("result")
    if error is not None or result is None:
        error = error or {"code": "missing_result", "message": "no result"}
        return [{**base, "error_code": error.get("code"), "error_message": error.get("message")}]
    if per_sentence:
        parts = ([("title", result["title"])] if result.get("title") else []) + [
            ("body", s) for s in result.get("sentences", [])]
        rows = []
        for part, sentence in parts:
            row = {**base, "part": part, "sentence_index": sentence["index"],
                   "start": sentence["start"], "end": sentence["end"],
                   "sentence": sentence["text"], "loaded": sentence["loaded"],
                   "stance": sentence["stance"], "quoted": sentence["quoted"],
                   "terms": _scalar([t["text"] for t in sentence.get("terms", [])])}
            _readability(row, sentence.get("readability"))
            rows.append(row)
        return rows or [dict(base)]
    article = result["article"]
    title = result.get("title") or {}
    row = {**base, "model_name": result["model"].get("name"),
           "model_version": result["model"].get("version"),
           "title_loaded": title.get("loaded"), "title_stance": title.get("stance")}
    for key in ("loaded", "stance", "loaded_share", "sentences", "author_sentences",
                "quoted_sentences", "quoted_loaded"):
        row[key] = article.get(key)
    row["top_terms"] = _scalar(article.get("top_terms", []))
    row["warnings"] = _scalar(result.get("warnings", []))
    _readability(row, article.get("readability"))
    return [row]


_KINDS = ("bool", "int", "float", "str")


def _kind(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "float"
    return "str"


class ColumnRegistry:
    """The columns met in flat rows, in a stable order, with one type each.

    Fixed columns come in their documented order; input fields (after ``n``, ``id``) and
    readability metrics (at the end) in the order first seen. A column whose values mix
    types becomes a string column (ints mixed with floats become floats).
    """

    def __init__(self, per_sentence: bool = False) -> None:
        self.per_sentence = per_sentence
        self.kinds: dict[str, str | None] = {}

    def add(self, row: dict[str, Any]) -> None:
        for name, value in row.items():
            kind = _kind(value)
            if name not in self.kinds:
                self.kinds[name] = kind
                continue
            old = self.kinds[name]
            if kind is None or old == kind:
                continue
            if old is None:
                self.kinds[name] = kind
            elif {old, kind} == {"int", "float"}:
                self.kinds[name] = "float"
            else:
                self.kinds[name] = "str"

    @property
    def columns(self) -> list[str]:
        fixed = SENTENCE_COLUMNS if self.per_sentence else ARTICLE_COLUMNS
        fixed_set = {"n", "id", *fixed}
        readability = [c for c in self.kinds if c.startswith("readability_")]
        inputs = [c for c in self.kinds if c not in fixed_set and c not in readability]
        return ["n", "id", *inputs, *fixed, *readability]

    def kind(self, column: str) -> str:
        return self.kinds.get(column) or "str"

    def coerce(self, column: str, value: Any) -> Any:
        """``value`` converted to the column's type (mixed columns hold strings), strings
        made :func:`encodable`."""
        if value is None:
            return None
        kind = self.kind(column)
        if kind == "str" and not isinstance(value, str):
            return json.dumps(value) if isinstance(value, bool) else str(value)
        if kind == "float" and isinstance(value, int):
            return float(value)
        return encodable(value) if isinstance(value, str) else value

    @property
    def names(self) -> list[str]:
        """:attr:`columns` as written in a header or schema (:func:`encodable`)."""
        return [encodable(c) for c in self.columns]

    def arrow_schema(self):
        import pyarrow as pa

        types = {"bool": pa.bool_(), "int": pa.int64(), "float": pa.float64(),
                 "str": pa.string()}
        return pa.schema([(name, types[self.kind(c)])
                          for name, c in zip(self.names, self.columns, strict=True)])
