"""CPU instructions per article for the analyzer or one of its parts (callgrind).

Usage: python bench/bench_instructions.py [--part full] [--articles 20] [--warm 300]
       [--keep callgrind.out]

Wall-clock timings on a shared 2-vCPU VM drift by 20% or more between runs; the number
of instructions executed does not (two runs agree to about 0.1%), so this is the figure
to compare before and after a change. Needs valgrind (``apt-get install valgrind``).
The analyzer is loaded and warmed up on ``--warm`` other articles with instrumentation
off; only the scoring of ``--articles`` articles is counted.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PARTS = ("full", "bare", "split", "readability", "heads", "terms", "tagger", "language",
         "words", "chars", "lexicons")


def _terms(analyzer, texts, spans):
    from classifier.stacking import sentence_peaks

    tokens = analyzer.model.tagger.token_probabilities(texts)
    return analyzer._terms(texts, spans, tokens, sentence_peaks(tokens[1], tokens[2]))


def _block_job(model, name, texts):
    from classifier.model import _output_width
    from classifier.tokens import TokenizedTexts

    weights, column = model._linear_heads()[0], 0
    for block_name, block in model.features.transformer_list:
        width = _output_width(block)
        if block_name == name:
            block_weights = weights[column:column + width]
            return lambda: [block.weighted_sum(TokenizedTexts(t), block_weights) for t in texts]
        column += width
    return lambda: None


def _child(part: str, n_articles: int, n_warm: int, data: Path, flag: Path) -> None:
    sys.path.insert(0, str(ROOT / "bench"))
    from bench_analyze import news_sentences

    from classifier import Analyzer, load_model
    from classifier.language import is_probably_english
    from classifier.readability import readability_report
    from classifier.sentences import split_sentences

    analyzer = Analyzer(load_model())
    model = analyzer.model
    sentences = news_sentences(data, 30 * (n_articles + n_warm))
    articles = [" ".join(sentences[i:i + 30]) for i in range(0, len(sentences), 30)]
    for article in articles[n_articles:]:
        analyzer.analyze(article)
    measured = articles[:n_articles]
    spans = [split_sentences(a) for a in measured]
    texts = [[a[s:e] for s, e in found] for a, found in zip(measured, spans, strict=True)]
    jobs = {
        "full": lambda: [analyzer.analyze(a) for a in measured],
        "bare": lambda: [analyzer.analyze(a, readability=False, terms=False) for a in measured],
        "split": lambda: [split_sentences(a) for a in measured],
        "readability": lambda: [readability_report(a, s)
                                for a, s in zip(measured, spans, strict=True)],
        "heads": lambda: [model.score_sentences(t) for t in texts],
        # The tagger's word probabilities, then the terms merged from them and their polarity.
        "terms": lambda: [_terms(analyzer, t, s) for t, s in zip(texts, spans, strict=True)],
        "tagger": lambda: [model.tagger.token_probabilities(t) for t in texts],
        "language": lambda: [is_probably_english(a) for a in measured],
        # The sentence model's feature blocks alone, each times its slice of the weights.
        **{name: _block_job(model, name, texts) for name in ("words", "chars", "lexicons")},
    }
    run = jobs[part]  # noqa: F841  (called through eval below)
    print("READY", flush=True)
    while not flag.exists():
        time.sleep(0.05)
    # Callgrind collects only inside the builtin eval(): the measured calls alone.
    eval("run()")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--part", choices=PARTS, default="full")
    parser.add_argument("--articles", type=int, default=20)
    parser.add_argument("--warm", type=int, default=300)
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--keep", type=Path, metavar="FILE",
                        help="also save callgrind's output there (for callgrind_annotate)")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(args.part, args.articles, args.warm, args.data, args.child)
        return
    with tempfile.TemporaryDirectory() as tmp:
        flag, out = Path(tmp) / "go", Path(tmp) / "callgrind.out"
        command = ["valgrind", "--tool=callgrind", "--instr-atstart=no",
                   "--toggle-collect=builtin_eval", f"--callgrind-out-file={out}",
                   os.path.realpath(sys.executable), __file__, "--part", args.part,
                   "--articles", str(args.articles), "--warm", str(args.warm),
                   "--data", str(args.data), "--child", str(flag)]
        child = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                 text=True)
        for line in child.stdout:
            if line.startswith("READY"):
                break
        subprocess.run(["callgrind_control", "-i", "on", str(child.pid)], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        flag.touch()
        if child.wait() != 0:
            sys.exit(f"valgrind exited with {child.returncode}")
        totals = [line for line in out.read_text().splitlines()
                  if line.startswith(("summary:", "totals:"))]
        instructions = int(totals[0].split()[1])
        if args.keep:
            shutil.copyfile(out, args.keep)
    print(f"{args.part}: {instructions / args.articles / 1e6:.2f} M instructions per "
          f"30-sentence article ({args.articles} articles, after {args.warm} for warm-up)")


if __name__ == "__main__":
    main()
