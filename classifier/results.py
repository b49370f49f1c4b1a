"""Result types returned by :func:`classifier.analyze`.

One schema is shared by the library, the CLI, the HTTP API and batch output:
``AnalysisResult.to_dict()`` is exactly the JSON they emit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["Term", "SentenceResult", "ArticleSummary", "AnalysisResult"]


@dataclass(frozen=True, slots=True)
class Term:
    """A loaded word or phrase. ``start``/``end`` index the submitted text (code points)."""

    start: int
    end: int
    text: str
    score: float
    polarity: str
    quoted: bool

    def to_dict(self) -> dict[str, Any]:
        # Written out: dataclasses.asdict deep-copies recursively and is many times slower.
        return {"start": self.start, "end": self.end, "text": self.text, "score": self.score,
                "polarity": self.polarity, "quoted": self.quoted}


@dataclass(slots=True)
class SentenceResult:
    """Scores for one sentence; ``text[start:end] == sentence.text``."""

    index: int
    start: int
    end: int
    text: str
    loaded: float
    stance: float
    quoted: bool
    terms: list[Term]
    readability: dict[str, float | int] | None = None
    explain: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        data = {
            "index": self.index,
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "loaded": self.loaded,
            "stance": self.stance,
            "quoted": self.quoted,
            "terms": [t.to_dict() for t in self.terms],
            "readability": self.readability,
        }
        if self.explain is not None:
            data["explain"] = self.explain
        return data


@dataclass(slots=True)
class ArticleSummary:
    """Article-level aggregates (see README, "How the article scores are aggregated")."""

    loaded: float | None
    stance: float | None
    loaded_share: float | None
    sentences: int
    author_sentences: int
    quoted_sentences: int
    quoted_loaded: float | None
    top_terms: list[dict[str, Any]]
    readability: dict[str, Any] | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "loaded": self.loaded,
            "stance": self.stance,
            "loaded_share": self.loaded_share,
            "sentences": self.sentences,
            "author_sentences": self.author_sentences,
            "quoted_sentences": self.quoted_sentences,
            "quoted_loaded": self.quoted_loaded,
            "top_terms": [dict(t) for t in self.top_terms],
            "readability": None if self.readability is None else dict(self.readability),
        }


@dataclass(slots=True)
class AnalysisResult:
    """Everything Slant says about one article."""

    model: dict[str, Any]
    sentences: list[SentenceResult]
    article: ArticleSummary
    title: SentenceResult | None = None
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "model": self.model,
            "title": None if self.title is None else self.title.to_dict(),
            "sentences": [s.to_dict() for s in self.sentences],
            "article": self.article.to_dict(),
            "warnings": list(self.warnings),
        }
