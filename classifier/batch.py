"""Scoring whole corpora: streaming, parallel (processes or a Dask cluster) and resumable.

>>> summary = score_corpus("corpus.jsonl", "scored.jsonl", jobs=2)  # doctest: +SKIP
>>> summary.scored, summary.failed  # doctest: +SKIP
(19998, 2)

How a run survives being killed
-------------------------------
Records are appended to a journal, ``<output>.partial`` (JSONL whatever the output
format), one whole chunk at a time, flushed and fsync'd. Its first line is a header that
identifies the input and the analysis options; every other line is one output record
carrying the document's input ordinal ``n``. ``resume=True`` reads the journal back,
drops a truncated last line, refuses a journal made from another input or with other
options, skips the ordinals already there and appends the rest. When every document
has a record, the journal is converted (JSONL, CSV or Parquet, in input order unless
``ordered=False``) to a temporary file that atomically replaces ``output``; the failed
records go to the errors file the same way; then the journal is deleted. So ``output``
only ever exists complete, and each input document has exactly one record in it.
"""

from __future__ import annotations

import contextlib
import csv
import itertools
import json
import logging
import os
import signal
import sys
import threading
import time
from array import array
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from .analyzer import MAX_TEXT_CHARS, Analyzer
from .batch_io import (
    BatchError,
    ColumnRegistry,
    Document,
    InputSpec,
    count_documents,
    dumps_record,
    error_record_for,
    flatten_record,
    iter_documents,
    output_format_for,
    record_for,
)
from .errors import InputError, ModelError

__all__ = [
    "AnalysisOptions",
    "BatchSummary",
    "BatchError",
    "EXIT_SOME_FAILED",
    "score_corpus",
    "score_chunk",
    "partial_path_for",
    "errors_path_for",
]

#: Exit status of ``slant score`` when some documents could not be scored.
EXIT_SOME_FAILED = 3
JOURNAL_VERSION = 1
DEFAULT_CHUNK_SIZE = 64


@dataclass(frozen=True, slots=True)
class AnalysisOptions:
    """What :meth:`Analyzer.analyze` computes for each document."""

    readability: bool = True
    terms: bool = True
    explain: bool = False


@dataclass(slots=True)
class BatchSummary:
    """What a batch run did. Counts cover the whole output, resumed records included."""

    output: Path
    errors_path: Path | None
    documents: int | None
    scored: int | None
    failed: int
    resumed: int = 0
    processed: int = 0
    sentences: int = 0
    seconds: float = 0.0
    already_complete: bool = False

    @property
    def docs_per_second(self) -> float:
        """Documents processed in this run per second of wall time."""
        return self.processed / self.seconds if self.seconds else 0.0

    @property
    def sentences_per_second(self) -> float:
        return self.sentences / self.seconds if self.seconds else 0.0

    @property
    def exit_code(self) -> int:
        """0 when every document was scored, :data:`EXIT_SOME_FAILED` otherwise."""
        return EXIT_SOME_FAILED if self.failed else 0

    def describe(self) -> str:
        """One line for humans, e.g. ``scored 98 of 100 documents, 2 failed (...)``."""
        if self.already_complete:
            text = f"{self.output} is already complete; nothing to do"
        else:
            text = f"scored {self.scored:,} of {self.documents:,} documents"
            if self.resumed:
                text += f" ({self.resumed:,} from the interrupted run)"
            text += (f" in {self.seconds:.1f} s ({self.docs_per_second:,.1f} docs/s, "
                     f"{self.sentences_per_second:,.0f} sentences/s)")
        if self.failed:
            text += f"; {self.failed:,} failed, see {self.errors_path}"
        return text


def partial_path_for(output: str | os.PathLike) -> Path:
    """The journal of an unfinished run writing ``output``."""
    return Path(f"{output}.partial")


def errors_path_for(output: str | os.PathLike) -> Path:
    """The default errors file of ``output``."""
    return Path(f"{output}.errors.jsonl")


# ------------------------------------------------------------------ worker side
_ANALYZERS: dict[str, Analyzer] = {}
_ANALYZERS_LOCK = threading.Lock()


def _analyzer(model_path: str | None) -> Analyzer:
    """The analyzer of ``model_path``, loaded once per process (or Dask worker)."""
    key = model_path or ""
    with _ANALYZERS_LOCK:
        if key not in _ANALYZERS:
            _ANALYZERS[key] = Analyzer(model_path)
        return _ANALYZERS[key]


def _init_process(model_path: str | None) -> None:
    """Initializer of pool processes: Ctrl-C is the parent's business; load the model."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    with contextlib.suppress(ModelError):  # raised again, cleanly, by score_chunk
        _analyzer(model_path)


@dataclass(slots=True)
class ChunkResult:
    """Output lines (JSON, no newline) of one chunk, in the chunk's order, with counts."""

    lines: list[str]
    scored: int
    failed: int
    sentences: int
    model: dict[str, Any]


def score_chunk(docs: list[Document], model_path: str | None,
                options: AnalysisOptions) -> ChunkResult:
    """Score a chunk of documents; runs in the parent, a pool process or a Dask worker.

    A document's :class:`~classifier.errors.InputError` (or any unexpected exception,
    reported as ``internal_error``) becomes its error record; a
    :class:`~classifier.errors.ModelError` stops the run.
    """
    analyzer = _analyzer(model_path)
    # The documents read without error, analysed together (Analyzer.analyze_each).
    outcomes = iter(analyzer.analyze_each(
        [(doc.text, doc.title) for doc in docs if doc.error is None],
        readability=options.readability, terms=options.terms, explain=options.explain))
    lines, scored, failed, sentences = [], 0, 0, 0
    for doc in docs:
        error, result = doc.error, None
        outcome = next(outcomes) if error is None else None
        if isinstance(outcome, InputError):
            error = {"code": outcome.code, "message": outcome.message}
        elif isinstance(outcome, Exception):  # one odd document must not stop a long run
            error = {"code": "internal_error",
                     "message": f"{type(outcome).__name__}: {outcome}"}
        elif outcome is not None:
            result = outcome.to_dict()
            sentences += len(outcome.sentences)
        if error is None:
            scored += 1
        else:
            failed += 1
        lines.append(dumps_record(record_for(doc, result, error)))
    return ChunkResult(lines, scored, failed, sentences, analyzer.model.info)


# ------------------------------------------------------------------ runners
def _chunks(docs: Iterable[Document], size: int) -> Iterator[list[Document]]:
    chunk: list[Document] = []
    for doc in docs:
        chunk.append(doc)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _bounded_map(submit: Callable[[list[Document]], Any], wait_any: Callable[[list], set],
                 chunks: Iterable[list[Document]], limit: int,
                 ordered: bool) -> Iterator[ChunkResult]:
    """Results of ``submit(chunk)`` futures with at most ``limit`` chunks in flight."""
    pending: deque = deque()

    def drain() -> Iterator[ChunkResult]:
        if ordered:
            yield pending.popleft().result()
            return
        done = wait_any(list(pending))
        for future in [f for f in pending if f in done]:
            pending.remove(future)
            yield future.result()

    for chunk in chunks:
        pending.append(submit(chunk))
        while len(pending) >= limit:
            yield from drain()
    while pending:
        yield from drain()


class _SerialRunner:
    def __init__(self, model_path: str | None, options: AnalysisOptions) -> None:
        self.model_path, self.options = model_path, options

    def map(self, chunks: Iterable[list[Document]], ordered: bool) -> Iterator[ChunkResult]:
        for chunk in chunks:
            yield score_chunk(chunk, self.model_path, self.options)

    def close(self) -> None:
        pass


class _ProcessRunner:
    """``jobs`` processes, each loading the model once (in its initializer)."""

    def __init__(self, jobs: int, model_path: str | None, options: AnalysisOptions,
                 max_inflight: int | None) -> None:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        self.model_path, self.options = model_path, options
        self.limit = max_inflight or 2 * jobs
        # Never fork this (threaded) process itself: a fork server that has imported the
        # library forks workers quickly; it does not run the user's __main__ again.
        if "forkserver" in multiprocessing.get_all_start_methods():
            context = multiprocessing.get_context("forkserver")
            context.set_forkserver_preload(["classifier.batch"])
        else:  # pragma: no cover - Windows
            context = multiprocessing.get_context("spawn")
        self.executor = ProcessPoolExecutor(max_workers=jobs, mp_context=context,
                                            initializer=_init_process, initargs=(model_path,))

    def map(self, chunks: Iterable[list[Document]], ordered: bool) -> Iterator[ChunkResult]:
        from concurrent.futures import FIRST_COMPLETED, wait

        def submit(chunk):
            return self.executor.submit(score_chunk, chunk, self.model_path, self.options)

        def wait_any(futures):
            return wait(futures, return_when=FIRST_COMPLETED).done

        return _bounded_map(submit, wait_any, chunks, self.limit, ordered)

    def close(self) -> None:
        self.executor.shutdown(wait=True, cancel_futures=True)


class _DaskRunner:
    """Chunks as tasks on a Dask cluster; each worker loads the model once (see
    :func:`_analyzer`). ``address="local"`` starts a loopback ``LocalCluster``."""

    def __init__(self, address: str, jobs: int | None, model_path: str | None,
                 options: AnalysisOptions, max_inflight: int | None) -> None:
        try:
            from distributed import Client, LocalCluster
        except ImportError as exc:
            raise BatchError(
                "--dask needs dask.distributed (pip install '.[batch]')"
            ) from exc
        self.model_path, self.options = model_path, options
        self.cluster = None
        try:
            if address == "local":
                self.cluster = LocalCluster(
                    n_workers=jobs or os.cpu_count() or 1, threads_per_worker=1,
                    processes=True, host="127.0.0.1", dashboard_address=None,
                    silence_logs=logging.ERROR)
                self.client = Client(self.cluster)
            else:
                self.client = Client(address)  # distributed.comm.timeouts.connect
        except (OSError, TimeoutError) as exc:
            if self.cluster is not None:
                self.cluster.close()
            raise BatchError(f"cannot connect to the Dask scheduler at {address}: {exc}") from exc
        threads = sum(self.client.nthreads().values()) or 1
        self.limit = max_inflight or 2 * threads

    def map(self, chunks: Iterable[list[Document]], ordered: bool) -> Iterator[ChunkResult]:
        from distributed import wait

        def submit(chunk):
            # Arguments given to submit() itself stay in the scheduler's memory after the
            # task is done (about twice the chunk, per task: the client grew without
            # bound); scattered data is freed with the last future that needs it.
            [data] = self.client.scatter([chunk], hash=False)
            return self.client.submit(score_chunk, data, self.model_path, self.options,
                                      pure=False)

        def wait_any(futures):
            return set(wait(futures, return_when="FIRST_COMPLETED").done)

        return _bounded_map(submit, wait_any, chunks, self.limit, ordered)

    def close(self) -> None:
        self.client.close()
        if self.cluster is not None:
            self.cluster.close()


def _runner(jobs: int | None, dask: str | None, model_path: str | None,
            options: AnalysisOptions, max_inflight: int | None):
    if dask:
        return _DaskRunner(dask, jobs, model_path, options, max_inflight)
    if jobs is not None and jobs > 1:
        return _ProcessRunner(jobs, model_path, options, max_inflight)
    return _SerialRunner(model_path, options)


# ------------------------------------------------------------------ the journal
def _mark(done: bytearray, n: int) -> bool:
    """Record ``n`` as done; False if it already was."""
    if n >= len(done):
        done.extend(bytes(max(n + 1 - len(done), len(done))))
    if done[n]:
        return False
    done[n] = 1
    return True


def _parse_record(line: bytes) -> dict[str, Any] | None:
    if not line.endswith(b"\n"):
        return None
    try:
        record = json.loads(line)
    except ValueError:
        return None
    if isinstance(record, dict) and isinstance(record.get("n"), int) and record["n"] >= 0:
        return record
    return None


def _read_header(path: Path) -> dict[str, Any] | None:
    with open(path, "rb") as f:
        first = f.readline()
    try:
        header = json.loads(first) if first.endswith(b"\n") else None
    except ValueError:
        return None
    return header if isinstance(header, dict) and "slant_batch" in header else None


def _recover_journal(path: Path) -> tuple[bytearray, int]:
    """Ordinals recorded in a journal, and how many; cuts a truncated last line off."""
    done, count, end = bytearray(), 0, 0
    with open(path, "rb") as f:
        f.readline()  # the header
        end = f.tell()
        for line in f:
            if not line.endswith(b"\n"):
                break
            end += len(line)
            record = _parse_record(line)
            if record is not None and _mark(done, record["n"]):
                count += 1
    if end != path.stat().st_size:
        with open(path, "r+b") as f:
            f.truncate(end)
    return done, count


def _header_mismatch(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    differences = []
    for key in ("input", "model", "options"):
        a, b = old.get(key), new.get(key)
        if isinstance(a, dict) and isinstance(b, dict):
            differences += [f"{key}.{k}" for k in sorted(set(a) | set(b)) if a.get(k) != b.get(k)]
        elif a != b:
            differences.append(key)
    return differences


class _Journal:
    """The append-only ``<output>.partial`` file, locked against a concurrent run."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.file = open(path, "ab")  # noqa: SIM115 - closed in close()
        try:
            import fcntl

            fcntl.flock(self.file.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except ImportError:  # pragma: no cover - not on POSIX
            pass
        except OSError as exc:
            self.file.close()
            raise BatchError(f"another `slant score` is writing {path}") from exc

    #: Records appended by this run, or None if it did not start the journal itself.
    appended: int | None = None

    def start(self, header: dict[str, Any]) -> None:
        self.file.truncate(0)
        # dumps_record: a source path can hold bytes that are not UTF-8 (as surrogates).
        self._write([dumps_record(header)])
        self.appended = 0

    def append(self, lines: list[str]) -> None:
        self._write(lines)
        if self.appended is not None:
            self.appended += len(lines)

    def _write(self, lines: list[str]) -> None:
        self.file.write(("\n".join(lines) + "\n").encode("utf-8"))
        self.file.flush()
        os.fsync(self.file.fileno())

    def close(self) -> None:
        self.file.close()


# ------------------------------------------------------------------ finishing
@contextlib.contextmanager
def _atomic_file(path: Path, mode: str = "wb", **kwargs):
    """A temporary file beside ``path`` that replaces it only when the block succeeds."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, mode, **kwargs) as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()


class _Index:
    """Where each record sits in the journal, indexed by ordinal."""

    def __init__(self) -> None:
        self.offsets, self.lengths = array("q"), array("q")
        self.failed = bytearray()
        self.order = array("q")  # ordinals in journal order (first occurrences)

    def add(self, n: int, offset: int, length: int, failed: bool) -> bool:
        if n < len(self.offsets) and self.offsets[n] >= 0:
            return False
        if n >= len(self.offsets):
            grow = n + 1 - len(self.offsets)
            self.offsets.extend([-1] * grow)
            self.lengths.extend([0] * grow)
            self.failed.extend(bytes(grow))
        self.offsets[n], self.lengths[n], self.failed[n] = offset, length, failed
        self.order.append(n)
        return True


def _index_journal(path: Path, registry: ColumnRegistry | None) -> _Index:
    index = _Index()
    with open(path, "rb") as f:
        offset = len(f.readline())
        for line in f:
            record = _parse_record(line)
            if record is not None and index.add(record["n"], offset, len(line),
                                                "error" in record):
                if registry is not None:
                    for row in flatten_record(record, per_sentence=registry.per_sentence):
                        registry.add(row)
            offset += len(line)
    return index


def _finish(journal: Path, output: Path, fmt: str, errors_path: Path, *, per_sentence: bool,
            ordered: bool, expected: int) -> tuple[int, int]:
    """Convert the journal into ``output`` and the errors file; return (documents, failed)."""
    registry = None if fmt == "jsonl" else ColumnRegistry(per_sentence)
    index = _index_journal(journal, registry)
    if len(index.offsets) > expected:
        raise BatchError(f"{journal} has records beyond the end of the input "
                         f"({len(index.offsets)} > {expected}): did the input change? "
                         "Start again with --overwrite")
    missing = [n for n in range(expected) if n >= len(index.offsets) or index.offsets[n] < 0]
    if missing:
        raise BatchError(f"{journal} lacks {len(missing)} records (first: n={missing[0]}); "
                         "run again with --resume")
    ordinals: Iterable[int] = range(expected) if ordered else index.order
    failed = sum(index.failed)
    with open(journal, "rb") as source:

        def lines() -> Iterator[tuple[int, bytes]]:
            for n in ordinals:
                source.seek(index.offsets[n])
                yield n, source.read(index.lengths[n])

        if failed:
            with _atomic_file(errors_path) as errors:
                for n, line in lines():
                    if index.failed[n]:
                        record = error_record_for(json.loads(line))
                        errors.write((dumps_record(record) + "\n").encode("utf-8"))
        else:
            with contextlib.suppress(FileNotFoundError):
                errors_path.unlink()
        if fmt == "jsonl":
            with _atomic_file(output) as out:
                for _, line in lines():
                    out.write(line)
        elif fmt == "csv":
            _write_csv(output, registry, (json.loads(line) for _, line in lines()))
        else:
            _write_parquet(output, registry, (json.loads(line) for _, line in lines()))
    journal.unlink()
    return expected, failed


def _write_csv(output: Path, registry: ColumnRegistry, records: Iterable[dict]) -> None:
    columns = registry.columns
    with _atomic_file(output, "w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(registry.names)
        for record in records:
            for row in flatten_record(record, per_sentence=registry.per_sentence):
                writer.writerow(["" if row.get(c) is None else registry.coerce(c, row[c])
                                 for c in columns])


def _write_parquet(output: Path, registry: ColumnRegistry, records: Iterable[dict],
                   rows_per_group: int = 4096) -> None:
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError as exc:  # pragma: no cover - pyarrow is in the batch extra
        raise BatchError(
            "writing Parquet needs pyarrow (pip install '.[batch]')"
        ) from exc
    schema = registry.arrow_schema()
    columns = list(zip(registry.names, registry.columns, strict=True))
    with _atomic_file(output) as f, pq.ParquetWriter(f, schema) as writer:
        buffer: list[dict[str, Any]] = []

        def flush() -> None:
            table = pa.Table.from_pylist(
                [{name: registry.coerce(c, row.get(c)) for name, c in columns}
                 for row in buffer],
                schema=schema)
            writer.write_table(table)
            buffer.clear()

        for record in records:
            buffer.extend(flatten_record(record, per_sentence=registry.per_sentence))
            if len(buffer) >= rows_per_group:
                flush()
        if buffer:
            flush()


# ------------------------------------------------------------------ the run
def score_corpus(
    source: str | os.PathLike,
    output: str | os.PathLike,
    *,
    output_format: str | None = None,
    errors_path: str | os.PathLike | None = None,
    input_format: str | None = None,
    text_column: str = "text",
    id_column: str | None = None,
    title_column: str | None = None,
    model_path: str | os.PathLike | None = None,
    options: AnalysisOptions | None = None,
    jobs: int | None = None,
    dask: str | None = None,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    max_inflight: int | None = None,
    ordered: bool = True,
    per_sentence: bool = False,
    resume: bool = False,
    overwrite: bool = False,
    progress: bool = False,
) -> BatchSummary:
    """Score every document of a corpus into one output record each.

    Parameters
    ----------
    source : str or path
        A ``.txt`` file, a folder of them (recursively; ``id`` is the relative path), a
        JSONL, CSV, TSV or Parquet file, or ``"-"`` for JSONL on standard input.
    output : str or path
        The output file; written atomically once every document has a record.
    output_format : {"jsonl", "csv", "parquet"}, optional
        Default: from ``output``'s extension. JSONL records hold ``n`` (input ordinal),
        ``id``, the input's other fields and ``result`` (``AnalysisResult.to_dict()``) or
        ``error`` (``code``, ``message``) and ``line``; CSV and Parquet hold flat rows
        (see :func:`~classifier.batch_io.flatten_record`).
    errors_path : str or path, optional
        Where failed records are listed (default ``<output>.errors.jsonl``); written only
        when some failed.
    input_format : str, optional
        Default: from ``source`` (folder, extension; ``-`` is JSONL).
    text_column, id_column, title_column : str
        Field or column names. Without an id, a document's id is its line number (its
        row number for Parquet); without a title column, ``title`` is used if present.
    model_path : str or path, optional
        Model directory; it must exist at the same path on every Dask worker.
    options : AnalysisOptions, optional
        Readability, terms, explanations.
    jobs : int, optional
        Processes on this machine (default 1), or the workers of ``dask="local"``
        (default: the number of CPUs).
    dask : str, optional
        ``"local"`` or a scheduler address such as ``"tcp://scheduler:8786"``.
    chunk_size : int
        Documents per task, and per fsync of the journal.
    max_inflight : int, optional
        Chunks submitted but not yet written (default: twice the workers).
    ordered : bool
        Write records in input order (default); ``False`` writes them as they finish.
    per_sentence : bool
        CSV/Parquet: one row per sentence instead of one per document.
    resume : bool
        Continue the run whose journal ``<output>.partial`` exists.
    overwrite : bool
        Start again even if ``output`` or a journal exists.
    progress : bool
        Show a tqdm progress bar on standard error.

    Returns
    -------
    BatchSummary

    Raises
    ------
    BatchError
        Bad options, unreadable input, existing output, a journal from another run.
    ModelError
        The model cannot be loaded.
    """
    started = time.perf_counter()
    options = options or AnalysisOptions()
    output = Path(output)
    fmt = output_format_for(output, output_format)
    if per_sentence and fmt == "jsonl":
        raise BatchError("--per-sentence applies to CSV and Parquet output; JSONL records "
                         "already hold every sentence")
    if resume and overwrite:
        raise BatchError("use either --resume or --overwrite, not both")
    if chunk_size < 1 or (jobs is not None and jobs < 1):
        raise BatchError("--chunk-size and --jobs must be at least 1")
    spec = InputSpec.create(source, input_format, text_column=text_column,
                            id_column=id_column, title_column=title_column)
    if spec.path != "-" and Path(spec.path).resolve() == output.resolve():
        raise BatchError("the output would overwrite the input")
    errors_path = Path(errors_path) if errors_path else errors_path_for(output)
    journal_path = partial_path_for(output)
    if model_path is not None and Path(model_path).exists():
        model_path = Path(model_path).resolve()
    model = None if model_path is None else str(model_path)
    header = {"slant_batch": JOURNAL_VERSION, "input": spec.describe(), "model": model,
              "options": asdict(options)}

    if resume and not journal_path.exists() and output.exists():
        failed = 0
        if errors_path.exists():
            with open(errors_path, "rb") as f:
                failed = sum(1 for _ in f)
        return BatchSummary(output, errors_path if failed else None, None, None, failed,
                            already_complete=True)
    if not resume and not overwrite:
        for existing in (output, journal_path):
            if existing.exists():
                raise BatchError(f"{existing} exists: use --resume to continue an interrupted "
                                 "run or --overwrite to start again")

    journal = _Journal(journal_path)
    try:
        done, resumed = bytearray(), 0
        old_header = _read_header(journal_path) if resume else None
        if old_header is not None:
            differences = _header_mismatch(old_header, header)
            if differences:
                raise BatchError(f"{journal_path} was made from another input or with other "
                                 f"options ({', '.join(differences)} differ); start again "
                                 "with --overwrite")
            done, resumed = _recover_journal(journal_path)
        else:
            journal.start(header)
        counts = _run(spec, journal, done, resumed, model, options, jobs=jobs, dask=dask,
                      chunk_size=chunk_size, max_inflight=max_inflight, ordered=ordered,
                      progress=progress)
    except BaseException:
        if journal.appended == 0:  # a fresh journal with nothing in it: leave no trace
            journal_path.unlink(missing_ok=True)
        raise
    finally:
        journal.close()
    documents, failed = _finish(journal_path, output, fmt, errors_path,
                                per_sentence=per_sentence, ordered=ordered,
                                expected=counts["documents"])
    return BatchSummary(output, errors_path if failed else None, documents, documents - failed,
                        failed, resumed=resumed, processed=counts["processed"],
                        sentences=counts["sentences"], seconds=time.perf_counter() - started)


def _run(spec: InputSpec, journal: _Journal, done: bytearray, resumed: int,
         model_path: str | None, options: AnalysisOptions, *, jobs: int | None,
         dask: str | None, chunk_size: int, max_inflight: int | None, ordered: bool,
         progress: bool) -> dict[str, int]:
    """Score the documents not yet in the journal; return counts for this run."""
    from tqdm import tqdm

    counts = {"documents": 0, "processed": 0, "sentences": 0}

    def todo() -> Iterator[Document]:
        for doc in iter_documents(spec, max_chars=MAX_TEXT_CHARS):
            counts["documents"] = doc.n + 1
            if doc.n >= len(done) or not done[doc.n]:
                yield doc

    bar = tqdm(total=count_documents(spec) if progress else None, initial=resumed,
               unit="doc", disable=not progress, file=sys.stderr, dynamic_ncols=True,
               smoothing=0.05)
    chunks = _chunks(todo(), chunk_size)
    first = next(chunks, None)
    # No cluster or pool to start when nothing is left to score.
    runner = _runner(jobs, dask, model_path, options, max_inflight) if first else _SerialRunner(
        model_path, options)
    model_info = None
    failed = 0
    try:
        for chunk in runner.map(itertools.chain([first] if first else [], chunks), ordered):
            if model_info is None:
                model_info = chunk.model
            elif chunk.model != model_info:
                raise BatchError(f"workers use different models ({model_info} and "
                                 f"{chunk.model}); give every worker the same --model path")
            journal.append(chunk.lines)
            counts["processed"] += len(chunk.lines)
            counts["sentences"] += chunk.sentences
            failed += chunk.failed
            bar.update(len(chunk.lines))
            if failed:
                bar.set_postfix(failed=failed, refresh=False)
    finally:
        runner.close()
        bar.close()
    return counts
