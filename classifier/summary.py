"""Corpus-level statistics over the JSONL records written by ``slant score``.

>>> summary = summarize_file("scored.jsonl")  # doctest: +SKIP
>>> print(render_summary(summary))  # doctest: +SKIP
"""

from __future__ import annotations

import json
import statistics
import sys
from array import array
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import SlantError
from .textio import decode_text

__all__ = ["Distribution", "CorpusSummary", "read_scored", "summarize_records",
           "summarize_file", "render_summary", "plot_summary", "SummaryError"]

HISTOGRAM_BINS = 10
NO_SOURCE = "(none)"


class SummaryError(SlantError):
    """The scored file cannot be summarised (missing, not JSONL, matplotlib absent)."""

    code = "summary_error"


@dataclass(slots=True)
class Distribution:
    """Count, mean, quartiles and a 10-bin histogram over [0, 1] of one article score."""

    count: int
    mean: float | None
    min: float | None
    q1: float | None
    median: float | None
    q3: float | None
    max: float | None
    histogram: list[int]

    @classmethod
    def of(cls, values: array) -> Distribution:
        histogram = [0] * HISTOGRAM_BINS
        for value in values:
            histogram[min(max(int(value * HISTOGRAM_BINS), 0), HISTOGRAM_BINS - 1)] += 1
        if not values:
            return cls(0, None, None, None, None, None, None, histogram)
        ordered = sorted(values)
        if len(ordered) > 1:
            q1, median, q3 = statistics.quantiles(ordered, n=4, method="inclusive")
        else:
            q1 = median = q3 = ordered[0]
        return cls(len(ordered), round(statistics.fmean(ordered), 4), ordered[0],
                   round(q1, 4), round(median, 4), round(q3, 4), ordered[-1], histogram)


@dataclass(slots=True)
class _SourceTotals:
    documents: int = 0
    failed: int = 0
    loaded: list[float] = field(default_factory=list)
    stance: list[float] = field(default_factory=list)
    loaded_share: list[float] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        def mean(values: list[float]) -> float | None:
            return round(statistics.fmean(values), 4) if values else None

        return {"documents": self.documents, "failed": self.failed,
                "loaded": mean(self.loaded), "stance": mean(self.stance),
                "loaded_share": mean(self.loaded_share)}


@dataclass(slots=True)
class CorpusSummary:
    """What :func:`summarize_records` found; ``to_dict()`` is ``slant summarize --json``."""

    documents: int
    scored: int
    failed: int
    no_author_sentences: int
    loaded: Distribution
    stance: Distribution
    author_terms: list[tuple[str, int]]
    quoted_terms: list[tuple[str, int]]
    source_field: str | None
    sources: dict[str, dict[str, Any]]
    loaded_values: array = field(repr=False, default_factory=lambda: array("d"))
    stance_values: array = field(repr=False, default_factory=lambda: array("d"))

    def to_dict(self) -> dict[str, Any]:
        return {
            "documents": self.documents, "scored": self.scored, "failed": self.failed,
            "no_author_sentences": self.no_author_sentences,
            "loaded": _distribution_dict(self.loaded),
            "stance": _distribution_dict(self.stance),
            "terms": {"author": [{"term": t, "count": c} for t, c in self.author_terms],
                      "quoted": [{"term": t, "count": c} for t, c in self.quoted_terms]},
            "source_field": self.source_field,
            "sources": self.sources,
        }


def _distribution_dict(d: Distribution) -> dict[str, Any]:
    return {"count": d.count, "mean": d.mean, "min": d.min, "q1": d.q1, "median": d.median,
            "q3": d.q3, "max": d.max, "histogram": d.histogram}


def read_scored(path: str | Path) -> Iterator[dict[str, Any]]:
    """Records of a JSONL file written by ``slant score`` (``-`` reads standard input).

    The journal of an unfinished run (``<output>.partial``) can be read too.
    """
    if str(path) != "-" and not Path(path).is_file():
        raise SummaryError(f"no such file: {path}")
    if str(path) != "-" and Path(path).suffix.lower() in {".csv", ".parquet", ".pq"}:
        raise SummaryError("summarize reads the JSONL output of `slant score` "
                           "(score again with -o scored.jsonl)")
    stream = sys.stdin.buffer if str(path) == "-" else open(path, "rb")  # noqa: SIM115
    try:
        for line_no, raw in enumerate(stream, start=1):
            if not raw.strip():
                continue
            try:
                record = json.loads(decode_text(raw, source=f"line {line_no}"))
            except ValueError as exc:
                if not raw.endswith(b"\n"):  # the last line of a journal being written
                    return
                raise SummaryError(f"{path}, line {line_no}: not JSON ({exc})") from exc
            if isinstance(record, dict) and "slant_batch" in record:
                continue  # the header of a journal (<output>.partial) of an unfinished run
            if not isinstance(record, dict) or not ("result" in record or "error" in record):
                raise SummaryError(f"{path}, line {line_no}: not a record of `slant score` "
                                   "(no `result` or `error`)")
            yield record
    finally:
        if stream is not sys.stdin.buffer:
            stream.close()


def summarize_records(records: Iterable[dict[str, Any]], *, source_field: str | None = None,
                      top: int = 15) -> CorpusSummary:
    """Distributions of article scores, frequent loaded terms and per-source figures.

    Parameters
    ----------
    records : iterable of dict
        Output records of ``slant score`` (``result`` or ``error``).
    source_field : str, optional
        Record field naming the outlet; default ``source`` when some record has it.
    top : int
        How many terms to list for the author's voice and for quotations.
    """
    loaded, stance = array("d"), array("d")
    author_terms: Counter[str] = Counter()
    quoted_terms: Counter[str] = Counter()
    sources: dict[str, _SourceTotals] = {}
    field_name = source_field or "source"
    seen_field = False
    documents = failed = no_author = 0
    for record in records:
        documents += 1
        if field_name in record:
            seen_field = True
        source = record.get(field_name)
        totals = sources.setdefault(NO_SOURCE if source is None else str(source),
                                    _SourceTotals())
        totals.documents += 1
        result = record.get("result")
        if not isinstance(result, dict):
            failed += 1
            totals.failed += 1
            continue
        article = result.get("article", {})
        if article.get("loaded") is None:
            no_author += 1
        else:
            loaded.append(article["loaded"])
            stance.append(article["stance"])
            totals.loaded.append(article["loaded"])
            totals.stance.append(article["stance"])
            totals.loaded_share.append(article["loaded_share"])
        sentences = list(result.get("sentences", []))
        if result.get("title"):
            sentences.append(result["title"])
        for sentence in sentences:
            for term in sentence.get("terms", []):
                (quoted_terms if term.get("quoted") else author_terms)[term["text"].lower()] += 1
    show_sources = source_field is not None or seen_field
    return CorpusSummary(
        documents=documents, scored=documents - failed, failed=failed,
        no_author_sentences=no_author,
        loaded=Distribution.of(loaded), stance=Distribution.of(stance),
        author_terms=author_terms.most_common(top), quoted_terms=quoted_terms.most_common(top),
        source_field=field_name if show_sources else None,
        sources={k: v.to_dict() for k, v in sorted(sources.items())} if show_sources else {},
        loaded_values=loaded, stance_values=stance,
    )


def summarize_file(path: str | Path, *, source_field: str | None = None,
                   top: int = 15) -> CorpusSummary:
    """:func:`summarize_records` over :func:`read_scored`."""
    return summarize_records(read_scored(path), source_field=source_field, top=top)


def _fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


def _render_distribution(name: str, d: Distribution, width: int = 40) -> list[str]:
    lines = [f"{name} (article, author voice)",
             f"  count {d.count:,}  mean {_fmt(d.mean)}  min {_fmt(d.min)}  25% {_fmt(d.q1)}  "
             f"median {_fmt(d.median)}  75% {_fmt(d.q3)}  max {_fmt(d.max)}"]
    peak = max(d.histogram) or 1
    for i, count in enumerate(d.histogram):
        low, high = i / HISTOGRAM_BINS, (i + 1) / HISTOGRAM_BINS
        bar = "#" * round(width * count / peak)
        lines.append(f"  {low:.1f}-{high:.1f} {count:>7,} {bar}")
    return lines


def render_summary(summary: CorpusSummary) -> str:
    """The text report printed by ``slant summarize``."""
    lines = [f"documents: {summary.documents:,} ({summary.scored:,} scored, "
             f"{summary.failed:,} failed)"]
    if summary.no_author_sentences:
        lines.append(f"  {summary.no_author_sentences:,} scored documents have no sentence in "
                     "the author's voice (all quoted) and no article score")
    lines.append("")
    lines += _render_distribution("loaded", summary.loaded)
    lines.append("")
    lines += _render_distribution("stance", summary.stance)
    lines.append("")
    lines.append("most frequent loaded terms")
    lines.append(f"  {'author voice':<34} in quotations")
    rows = max(len(summary.author_terms), len(summary.quoted_terms))
    for i in range(rows):
        cells = []
        for terms in (summary.author_terms, summary.quoted_terms):
            cells.append(f"{terms[i][0][:26]:<26} {terms[i][1]:>7,}" if i < len(terms) else "")
        lines.append(f"  {cells[0]:<34} {cells[1]}".rstrip())
    if not rows:
        lines.append("  (none)")
    if summary.source_field:
        lines.append("")
        lines.append(f"per source ({summary.source_field})")
        lines.append(f"  {'source':<28} {'docs':>7} {'failed':>7} {'loaded':>7} {'stance':>7} "
                     f"{'loaded share':>12}")
        for name, s in summary.sources.items():
            lines.append(f"  {name[:28]:<28} {s['documents']:>7,} {s['failed']:>7,} "
                         f"{_fmt(s['loaded']):>7} {_fmt(s['stance']):>7} "
                         f"{_fmt(s['loaded_share']):>12}")
    return "\n".join(lines)


def plot_summary(summary: CorpusSummary, path: str | Path) -> Path:
    """Histograms of article loaded and stance scores as a PNG (needs matplotlib).

    Raises
    ------
    SummaryError
        When matplotlib is not installed.
    """
    try:
        import matplotlib

        matplotlib.use("Agg")  # no display on servers and CI
        import matplotlib.pyplot as plt
    except ImportError as exc:
        raise SummaryError(
            "--plot needs matplotlib (pip install '.[report]')"
        ) from exc
    figure, axes = plt.subplots(1, 2, figsize=(10, 4), constrained_layout=True)
    bins = [i / 20 for i in range(21)]
    for ax, name, values in ((axes[0], "loaded", summary.loaded_values),
                             (axes[1], "stance", summary.stance_values)):
        ax.hist(list(values), bins=bins, color="#4c72b0", edgecolor="white")
        ax.set_xlim(0, 1)
        ax.set_xlabel(f"article {name} score (author voice)")
        ax.set_ylabel("articles")
        ax.set_title(f"{name}: n={len(values):,}")
    path = Path(path)
    figure.savefig(path, dpi=100)
    plt.close(figure)
    return path
