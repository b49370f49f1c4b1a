"""Batch scoring benchmark: documents/s, sentences/s and peak memory of `slant score`.

Usage: python bench/bench_batch.py [--docs 20000] [--small 2000] [--configs jobs1,jobs2,dask2]

Generates JSONL corpora of news-length documents (400-800 words, sentences sampled from
seeds/ and, when present, ../shared/data BABE) of two sizes, runs `slant score` on each
as a subprocess with one process, two processes and a 2-worker `--dask local` cluster,
and prints wall time, documents/s, sentences/s and the peak RSS of the whole process
tree (parent plus workers, sampled every 0.2 s). Memory that stays flat from the small
to the large corpus shows that scoring streams. Results are also written as JSON to
bench/results/ (ignored by git).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CONFIGS = {
    "jobs1": [],
    "jobs2": ["--jobs", "2"],
    "dask2": ["--dask", "local", "--jobs", "2"],
}


def sentence_pool(data: Path) -> list[str]:
    """Sentences of the seed articles, plus BABE's news sentences when available."""
    from classifier.sentences import split_sentences

    pool = []
    for path in sorted((ROOT / "seeds").glob("*.txt")):
        body = path.read_text(encoding="utf-8").split("\n", 2)[-1]
        pool += [body[s:e] for s, e in split_sentences(body)]
    if (data / "babe").is_dir():
        from classifier.datasets import load_babe

        pool += [r.text for r in load_babe(data)]
    return [s for s in pool if len(s.split()) >= 4]


def write_corpus(path: Path, n_docs: int, pool: list[str], seed: int = 0) -> int:
    """Write ``n_docs`` documents of 400-800 words; return the number of words."""
    rng = random.Random(seed)
    words = 0
    with path.open("w", encoding="utf-8") as f:
        for i in range(n_docs):
            target, parts, count = rng.randint(400, 800), [], 0
            while count < target:
                sentence = rng.choice(pool)
                parts.append(sentence)
                count += len(sentence.split())
            paragraphs = [" ".join(parts[j:j + 4]) for j in range(0, len(parts), 4)]
            record = {"id": f"bench-{i}", "source": f"outlet-{i % 7}",
                      "text": "\n\n".join(paragraphs)}
            f.write(json.dumps(record, ensure_ascii=False) + "\n")
            words += count
    return words


def tree_rss(process) -> int:
    import psutil

    total = 0
    try:
        members = [process, *process.children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0
    for member in members:
        try:
            total += member.memory_info().rss
        except psutil.NoSuchProcess:
            pass
    return total


def run_config(corpus: Path, out: Path, extra: list[str], model: str | None) -> dict:
    import psutil

    command = [sys.executable, "-m", "classifier.cli", "score", str(corpus), "-o", str(out),
               "--overwrite", *extra]
    if model:
        command += ["--model", model]
    started = time.perf_counter()
    process = psutil.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak_tree = peak_parent = 0
    while process.poll() is None:
        peak_tree = max(peak_tree, tree_rss(process))
        try:
            peak_parent = max(peak_parent, process.memory_info().rss)
        except psutil.NoSuchProcess:
            pass
        time.sleep(0.2)
    seconds = time.perf_counter() - started
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    stderr = process.stderr.read().decode()
    if process.returncode not in (0, 3):
        raise SystemExit(f"{' '.join(command)} failed:\n{stderr}")
    return {"seconds": round(seconds, 1), "peak_rss_mb": round(peak_tree / 2**20),
            "peak_parent_rss_mb": round(peak_parent / 2**20), "load_1min_at_end": load,
            "slant_summary": stderr.strip().splitlines()[-1]}


def count_sentences(path: Path) -> int:
    total = 0
    with path.open("rb") as f:
        for line in f:
            record = json.loads(line)
            if "result" in record:
                total += len(record["result"]["sentences"])
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=20_000, help="large corpus size")
    parser.add_argument("--small", type=int, default=None,
                        help="small corpus size (default: a tenth of --docs)")
    parser.add_argument("--configs", default=",".join(CONFIGS),
                        help=f"comma-separated, among {', '.join(CONFIGS)}")
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--model", default=None, help="model directory (default model)")
    parser.add_argument("--workdir", type=Path, default=ROOT / "bench" / "results")
    args = parser.parse_args()
    configs = [c for c in args.configs.split(",") if c]
    unknown = set(configs) - set(CONFIGS)
    if unknown:
        parser.error(f"unknown configs: {', '.join(sorted(unknown))}")
    sizes = [args.small or max(args.docs // 10, 1), args.docs]

    args.workdir.mkdir(parents=True, exist_ok=True)
    pool = sentence_pool(args.data)
    print(f"# {platform.machine()}, {os.cpu_count()} CPUs, Python {sys.version.split()[0]} "
          f"({sys.executable}), "
          f"sentence pool {len(pool):,}; other processes' load skews the figures: see "
          "load_1min_at_end in the JSON", flush=True)
    print(f"{'docs':>7} {'config':<7} {'seconds':>8} {'docs/s':>8} {'sent/s':>8} "
          f"{'peak RSS MB (tree)':>19} {'parent':>7}", flush=True)
    results = []
    for size in sizes:
        corpus = args.workdir / f"corpus-{size}.jsonl"
        words = write_corpus(corpus, size, pool)
        sentences = None
        for config in configs:
            out = args.workdir / f"scored-{size}-{config}.jsonl"
            figures = run_config(corpus, out, CONFIGS[config], args.model)
            if sentences is None:
                sentences = count_sentences(out)
            figures.update(docs=size, words=words, sentences=sentences, config=config,
                           docs_per_s=round(size / figures["seconds"], 1),
                           sentences_per_s=round(sentences / figures["seconds"]))
            results.append(figures)
            print(f"{size:>7,} {config:<7} {figures['seconds']:>8.1f} "
                  f"{figures['docs_per_s']:>8.1f} {figures['sentences_per_s']:>8,} "
                  f"{figures['peak_rss_mb']:>19,} {figures['peak_parent_rss_mb']:>7,}",
                  flush=True)
            out.unlink()
        corpus.unlink()
    report = args.workdir / f"bench_batch-{time.strftime('%Y%m%d-%H%M%S')}.json"
    report.write_text(json.dumps(results, indent=2), encoding="utf-8")
    print(f"# wrote {report}")


if __name__ == "__main__":
    main()
