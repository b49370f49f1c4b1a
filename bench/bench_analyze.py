"""Analyzer benchmark: throughput against the floor, 1,000-word latency, load time, memory.

Usage: python bench/bench_analyze.py [--data ../shared/data] [--sentences 20000]

Prints one figure per line. The corpus is news sentences from ../shared/data (BABE, PTC,
BASIL) grouped into articles of 30 sentences; without the data it repeats the seeds.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import resource
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def news_sentences(data: Path, limit: int) -> list[str]:
    if (data / "babe").is_dir():
        from classifier.datasets import load_babe, load_basil, load_ptc

        sentences = [r.text for loader in (load_babe, load_ptc, load_basil)
                     for r in loader(data) if len(r.text.split()) >= 4]
    else:
        from classifier.sentences import split_sentences

        sentences = []
        for path in sorted((ROOT / "seeds").glob("*.txt")):
            text = path.read_text()
            sentences += [text[s:e] for s, e in split_sentences(text)]
    return (sentences * (limit // len(sentences) + 1))[:limit]


def _time(function, *args) -> float:
    started = time.perf_counter()
    function(*args)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--sentences", type=int, default=20000)
    parser.add_argument("--profile", action="store_true", help="print where the time goes")
    args = parser.parse_args()

    started = time.perf_counter()
    import classifier  # noqa: F401  (imports count towards the load time a user sees)
    from classifier import Analyzer, load_model
    imported = time.perf_counter()
    model = load_model()
    loaded = time.perf_counter()
    print(f"Python {sys.version.split()[0]} ({sys.executable})")
    print(f"import time: {imported - started:.3f} s")
    print(f"model load time (verify hash + unpickle): {loaded - imported:.3f} s")
    print(f"RSS with the model loaded: {rss_mb():.0f} MB")

    analyzer = Analyzer(model)
    sentences = news_sentences(args.data, args.sentences)
    articles = [" ".join(sentences[i:i + 30]) for i in range(0, len(sentences), 30)]
    analyzer.analyze(articles[0])  # warm-up: caches, lazy dictionaries

    def run_all():
        count = 0
        for text in articles:
            count += len(analyzer.analyze(text).sentences)
        return count

    t0 = time.perf_counter()
    n_sentences = run_all()
    full = time.perf_counter() - t0
    print(f"analyze(): {n_sentences} sentences in {len(articles)} articles, {full:.2f} s -> "
          f"{n_sentences / full:,.0f} sentences/s, {len(articles) / full:,.1f} articles/s")

    t0 = time.perf_counter()
    for text in articles:
        analyzer.analyze(text, readability=False, terms=False)
    bare = time.perf_counter() - t0
    print(f"analyze(readability=False, terms=False): {n_sentences / bare:,.0f} sentences/s")
    print(f"RSS after analysing the corpus: {rss_mb():.0f} MB")

    # The floor: a plain TF-IDF word-bigram logistic regression's predict_proba.
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    labels = [i % 2 for i in range(len(sentences))]
    floor = make_pipeline(TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True),
                          LogisticRegression(max_iter=500)).fit(sentences, labels)
    t0 = time.perf_counter()
    for i in range(0, len(sentences), 30):
        floor.predict_proba(sentences[i:i + 30])
    floor_time = time.perf_counter() - t0
    print(f"floor (TF-IDF word 1-2-gram LR predict_proba, per article of 30): "
          f"{len(sentences) / floor_time:,.0f} sentences/s; analyze() is "
          f"{full / floor_time:.1f}x the floor's time ({bare / floor_time:.1f}x without "
          "readability and terms)")

    import textstat

    textstat.flesch_reading_ease(articles[-1])  # warm-up: textstat loads its dictionary
    t0 = time.perf_counter()
    for text in articles[:200]:
        textstat.flesch_reading_ease(text)
    ts = (time.perf_counter() - t0) / min(200, len(articles))
    print(f"textstat.flesch_reading_ease alone: {ts * 1000:.2f} ms per 30-sentence article")

    # One 1,000-word article, after warm-up.
    words, article = 0, []
    for sentence in sentences:
        article.append(sentence)
        words += len(sentence.split())
        if words >= 1000:
            break
    text = " ".join(article)
    for _ in range(5):
        analyzer.analyze(text)
    timings = []
    for _ in range(50):
        t0 = time.perf_counter()
        analyzer.analyze(text)
        timings.append(time.perf_counter() - t0)
    print(f"1,000-word article ({len(text.split())} words, {len(article)} sentences): "
          f"median {statistics.median(timings) * 1000:.1f} ms, "
          f"max {max(timings) * 1000:.1f} ms over 50 runs")
    print(f"RSS after the run (floor model and textstat's dictionary loaded too): "
          f"{rss_mb():.0f} MB")

    # How cost grows with length: it should be linear (no quadratic step).
    pool = " ".join(sentences).split()
    for n_words in (100, 1000, 5000, 20000):
        body = " ".join(pool[:n_words])
        best = min(_time(analyzer.analyze, body) for _ in range(3))
        print(f"{n_words:>6}-word article: {best * 1000:8.1f} ms "
              f"({best * 1000 / n_words * 1000:.1f} ms per 1,000 words)")

    if args.profile:
        profile = cProfile.Profile()
        profile.enable()
        for text in articles[:300]:
            analyzer.analyze(text)
        profile.disable()
        out = io.StringIO()
        pstats.Stats(profile, stream=out).sort_stats("tottime").print_stats(15)
        print(out.getvalue())
    sys.stdout.flush()


if __name__ == "__main__":
    main()
