"""Human-readable renderings of an analysis (the CLI's default output)."""

from __future__ import annotations

import textwrap

import click

from .results import AnalysisResult, SentenceResult

__all__ = ["render_report"]


def _bar(value: float | None, width: int = 10) -> str:
    if value is None:
        return " " * width
    filled = round(value * width)
    return "█" * filled + "·" * (width - filled)


def _fmt(value: float | None) -> str:
    return "  – " if value is None else f"{value:.2f}"


def _highlight(sentence: SentenceResult, color: bool | None) -> str:
    """The sentence with its loaded terms marked [like this] (and coloured on a terminal)."""
    pieces, cursor = [], sentence.start
    for term in sentence.terms:
        pieces.append(sentence.text[cursor - sentence.start:term.start - sentence.start])
        fg = "red" if term.polarity == "negative" else "green"
        marked = f"[{term.text}]"
        pieces.append(click.style(marked, fg=fg, bold=True) if color is not False else marked)
        cursor = term.end
    pieces.append(sentence.text[cursor - sentence.start:])
    return "".join(pieces)


def render_report(result: AnalysisResult, *, color: bool | None = None, width: int = 88) -> str:
    """A terminal report: article summary, then one block per sentence."""
    article = result.article
    lines = [
        f"Model: {result.model['name']} {result.model['version']}",
    ]
    for warning in result.warnings:
        lines.append(f"Warning: {warning}")
    if result.title is not None:
        lines.append(f"Title: {_highlight(result.title, color)}  "
                     f"(loaded {_fmt(result.title.loaded)}, stance {_fmt(result.title.stance)})")
    lines += [
        "",
        f"Loaded language  {_bar(article.loaded)} {_fmt(article.loaded)}   "
        "(mean over the author's own sentences)",
        f"Editorial stance {_bar(article.stance)} {_fmt(article.stance)}",
        f"Sentences: {article.sentences} ({article.author_sentences} in the author's voice, "
        f"{article.quoted_sentences} quoted/attributed); loaded share "
        f"{_fmt(article.loaded_share)}",
    ]
    if article.top_terms:
        terms = ", ".join(
            f"{t['text']} ({t['polarity'][:3]}, {t['score']:.2f}"
            + (f", ×{t['count']}" if t["count"] > 1 else "")
            + (", quoted" if t["quoted"] == t["count"] else "") + ")"
            for t in article.top_terms
        )
        lines.append(textwrap.fill(f"Top loaded terms: {terms}", width,
                                   subsequent_indent="  "))
    if article.readability:
        r = article.readability
        lines.append(
            f"Readability: grade {r['flesch_kincaid_grade']} (Flesch-Kincaid), reading ease "
            f"{r['flesch_reading_ease']}, {r['text_standard']}, about "
            f"{max(1, round(r['reading_time_seconds'] / 60))} min to read"
        )
    lines += ["", " #  loaded stance"]
    for sentence in result.sentences:
        flag = "  [quoted]" if sentence.quoted else ""
        # Colour codes count towards the wrap width; lines come out a little short.
        body = textwrap.wrap(_highlight(sentence, color) + flag, width - 18,
                             break_on_hyphens=False) or [""]
        lines.append(f"{sentence.index + 1:>2}  {_fmt(sentence.loaded)}   "
                     f"{_fmt(sentence.stance)}   {body[0]}")
        lines += [" " * 18 + line for line in body[1:]]
        if sentence.explain:
            for head in ("loaded", "stance"):
                top = ", ".join(f"{f['feature']} {f['weight']:+.2f}"
                                for f in sentence.explain.get(head, [])[:5])
                lines.append(" " * 18 + f"why {head}: {top}")
    return "\n".join(lines)
