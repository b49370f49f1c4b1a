"""Tiny corpora in the real on-disk formats, written by the tests themselves.

They use invented sentences (no copy of any real corpus): loaded sentences carry
words from LOADED_WORDS in the writer's voice, neutral ones report facts.
"""

from __future__ import annotations

import csv
import json
import random
from pathlib import Path

LOADED_WORDS = ["disastrous", "barbaric", "shameful", "outrageous", "heroic", "reckless",
                "brilliant", "corrupt", "pathetic", "glorious"]
SUBJECTS = ["The council", "The mayor", "The ministry", "Local officials", "The committee",
            "The governor", "The agency", "The board", "Residents", "The company"]
NEUTRAL_ENDINGS = ["met on Tuesday to discuss the budget.", "released a report on Friday.",
                   "said the bridge will reopen in May.", "voted 5 to 2 on the measure.",
                   "published figures for the third quarter.", "scheduled a hearing for June."]


def loaded_sentence(rng: random.Random) -> tuple[str, list[tuple[int, int]]]:
    subject = rng.choice(SUBJECTS)
    word = rng.choice(LOADED_WORDS)
    text = f"{subject} made a {word} decision that everyone should condemn."
    start = text.index(word)
    return text, [(start, start + len(word))]


def neutral_sentence(rng: random.Random) -> str:
    return f"{rng.choice(SUBJECTS)} {rng.choice(NEUTRAL_ENDINGS)}"


def write_corpora(root: Path, n_articles: int = 30, seed: int = 0) -> Path:
    """Write babe/, ptc/, basil/, checkthat-subj-en/ and lexicons/ under ``root``."""
    rng = random.Random(seed)
    (root / "babe").mkdir(parents=True)
    with (root / "babe" / "babe_sg2_train.csv").open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, delimiter=";")
        writer.writerow(["text", "news_link", "outlet", "topic", "type", "label_bias",
                         "label_opinion", "biased_words"])
        for article in range(n_articles):
            for _ in range(4):
                if rng.random() < 0.5:
                    text, spans = loaded_sentence(rng)
                    words = [text[s:e] for s, e in spans]
                    writer.writerow([text, f"https://news.example/{article}", "Ex", "t", "",
                                     "Biased", "Expresses writer’s opinion", repr(words)])
                else:
                    writer.writerow([neutral_sentence(rng), f"https://news.example/{article}",
                                     "Ex", "t", "", "Non-biased", "Entirely factual", "[]"])
    ptc = root / "ptc" / "train-articles"
    ptc.mkdir(parents=True)
    labels = []
    for article in range(n_articles):
        lines, offset = ["Headline of article", ""], len("Headline of article") + 2
        for _ in range(5):
            if rng.random() < 0.5:
                text, spans = loaded_sentence(rng)
                labels += [(article, "Loaded_Language", offset + s, offset + e) for s, e in spans]
                start = text.index("everyone")
                labels.append((article, "Flag-Waving", offset + start, offset + start + 8))
            else:
                text = neutral_sentence(rng)
            lines.append(text)
            offset += len(text) + 1
        (ptc / f"article{1000 + article}.txt").write_text("\n".join(lines), encoding="utf-8")
    with (root / "ptc" / "train-task-flc-tc.labels").open("w") as f:
        for article, technique, s, e in labels:
            f.write(f"{1000 + article}\t{technique}\t{s}\t{e}\n")
    for year in ("2010",):
        (root / "basil" / "articles" / year).mkdir(parents=True)
        (root / "basil" / "annotations" / year).mkdir(parents=True)
        for event in range(n_articles // 3):
            for outlet in (1, 2, 3):
                sentences, spans = [], []
                for index in range(4):
                    if rng.random() < 0.4:
                        text, found = loaded_sentence(rng)
                        spans += [{"bias": "lex", "id": f"p{index}", "start": s, "end": e,
                                   "polarity": "neg", "txt": text[s:e]} for s, e in found]
                    else:
                        text = neutral_sentence(rng)
                    sentences.append([text])
                uuid = f"event-{event:04d}"
                name = f"{uuid}_{outlet}"
                article = {"triplet-uuid": uuid, "title": "t", "body-paragraphs": sentences}
                (root / "basil" / "articles" / year / f"{name}.json").write_text(
                    json.dumps(article))
                (root / "basil" / "annotations" / year / f"{name}_ann.json").write_text(
                    json.dumps({"phrase-level-annotations": spans, "triplet-uuid": uuid}))
    (root / "checkthat-subj-en").mkdir()
    for split in ("train", "dev"):
        with (root / "checkthat-subj-en" / f"{split}_en.tsv").open("w", encoding="utf-8") as f:
            f.write("sentence_id\tsentence\tlabel\n")
            for i in range(60):
                if rng.random() < 0.5:
                    f.write(f"{split}{i}\t{loaded_sentence(rng)[0]}\tSUBJ\n")
                else:
                    f.write(f"{split}{i}\t{neutral_sentence(rng)}\tOBJ\n")
    lexicons = root / "lexicons" / "recasens-and-friends"
    lexicons.mkdir(parents=True)
    (lexicons / "npov_lexicon.txt").write_text("\n".join(LOADED_WORDS[:5]) + "\n")
    (lexicons / "positive_liu2005.txt").write_text("heroic\nbrilliant\nglorious\ngood\n")
    (lexicons / "negative_liu2005.txt").write_text(
        "disastrous\nbarbaric\nshameful\noutrageous\nreckless\ncorrupt\npathetic\nbad\n")
    return root
