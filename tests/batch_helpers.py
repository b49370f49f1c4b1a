"""Small corpora for the batch tests, generated from the seed articles' sentences."""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
_SPLIT = re.compile(r"(?<=[.!?\"])\s+(?=[A-Z\"])")


def seed_sentences() -> list[str]:
    """Body sentences of the seed articles (or synthetic ones if the seeds are absent)."""
    sentences = []
    for path in sorted(SEEDS.glob("*.txt")):
        body = path.read_text(encoding="utf-8").split("\n", 2)[-1]
        sentences += [s.strip() for s in _SPLIT.split(body) if len(s.split()) >= 4]
    return sentences or [f"The council met on day {i} to discuss the budget." for i in range(50)]


def make_texts(n: int, *, sentences: int = 2, seed: int = 0) -> list[str]:
    pool = seed_sentences()
    rng = random.Random(seed)
    return [" ".join(rng.choice(pool) for _ in range(sentences)) for _ in range(n)]


def write_jsonl(path: Path, records: list, *, raw_lines: dict[int, bytes] | None = None) -> Path:
    """Write records as JSONL; ``raw_lines`` inserts raw bytes lines at given indexes."""
    raw_lines = raw_lines or {}
    with path.open("wb") as f:
        for i, record in enumerate(records):
            if i in raw_lines:
                f.write(raw_lines[i] + b"\n")
            f.write(json.dumps(record, ensure_ascii=False).encode("utf-8") + b"\n")
    return path


def corpus_records(n: int, *, seed: int = 0, sentences: int = 2) -> list[dict]:
    return [{"id": f"doc-{i}", "text": text, "source": ("wire", "blog", "paper")[i % 3]}
            for i, text in enumerate(make_texts(n, sentences=sentences, seed=seed))]


def read_jsonl(path: Path) -> list[dict]:
    with path.open("rb") as f:
        return [json.loads(line) for line in f if line.strip()]
