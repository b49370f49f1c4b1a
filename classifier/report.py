"""Human-readable renderings of an analysis (the CLI's default output)."""

from __future__ import annotations

import re
import textwrap

import click

from .results import AnalysisResult, SentenceResult, Term

__all__ = ["render_report"]


def _bar(value: float | None, width: int = 10) -> str:
    if value is None:
        return " " * width
    filled = round(value * width)
    return "█" * filled + "·" * (width - filled)


def _fmt(value: float | None) -> str:
    return "  – " if value is None else f"{value:.2f}"


# Terms are marked with two private-use characters while the text is wrapped: each is
# one column wide, like the bracket it becomes, so the wrap width is the visible width
# (colour codes, added afterwards, would otherwise count towards it).
_OPEN, _CLOSE = "\ue000", "\ue001"
_MARKERS = re.compile(f"([{_OPEN}{_CLOSE}])")


def _marked(sentence: SentenceResult) -> str:
    """The sentence with each loaded term between the two markers."""
    text = sentence.text.translate({ord(_OPEN): "\ufffd", ord(_CLOSE): "\ufffd"})
    pieces, cursor = [], 0
    for term in sentence.terms:
        start, end = term.start - sentence.start, term.end - sentence.start
        pieces += [text[cursor:start], _OPEN, text[start:end], _CLOSE]
        cursor = end
    pieces.append(text[cursor:])
    return "".join(pieces)


def _styled(text: str, term: Term, color: bool | None) -> str:
    if not text or color is False:
        return text
    return click.style(text, fg="red" if term.polarity == "negative" else "green", bold=True)


def _painted(lines: list[str], terms: list[Term], color: bool | None) -> list[str]:
    """The marked lines with the terms shown [like this], coloured by polarity unless
    ``color`` is False. A term wrapped over two lines is coloured on both, and every
    line ends its own colour."""
    out, term = [], -1
    run: str | None = None  # the shown part of the current term, None outside terms
    for line in lines:
        pieces = []
        for piece in _MARKERS.split(line):
            if piece == _OPEN:
                term, run = term + 1, "["
            elif piece == _CLOSE:
                pieces.append(_styled(run + "]", terms[term], color))
                run = None
            elif run is not None:
                run += piece
            else:
                pieces.append(piece)
        if run is not None:  # the term goes on in the next line
            pieces.append(_styled(run, terms[term], color))
            run = ""
        out.append("".join(pieces))
    return out


def render_report(result: AnalysisResult, *, color: bool | None = None, width: int = 88) -> str:
    """A terminal report: article summary, then one block per sentence."""
    article = result.article
    lines = [
        f"Model: {result.model['name']} {result.model['version']}",
    ]
    for warning in result.warnings:
        lines.append(f"Warning: {warning}")
    if result.title is not None:
        title = _painted([_marked(result.title)], result.title.terms, color)[0]
        lines.append(f"Title: {title}  "
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
        body = _painted(textwrap.wrap(_marked(sentence) + flag, width - 18,
                                      break_on_hyphens=False) or [""], sentence.terms, color)
        lines.append(f"{sentence.index + 1:>2}  {_fmt(sentence.loaded)}   "
                     f"{_fmt(sentence.stance)}   {body[0]}")
        lines += [" " * 18 + line for line in body[1:]]
        if sentence.explain:
            for head in ("loaded", "stance"):
                top = ", ".join(f"{f['feature']} {f['weight']:+.2f}"
                                for f in sentence.explain.get(head, [])[:5])
                lines.append(" " * 18 + f"why {head}: {top}")
    return "\n".join(lines)
