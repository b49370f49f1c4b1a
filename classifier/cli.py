"""The ``slant`` command line: a thin click layer over the library.

Library errors (:class:`~classifier.errors.SlantError`) become a one-line message on
stderr and exit status 1; usage errors exit with 2 (click's convention).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from . import __version__
from .errors import SlantError

__all__ = ["main", "cli"]


class SlantGroup(click.Group):
    """A click group that turns library errors into clean CLI errors."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except SlantError as exc:
            raise click.ClickException(exc.message) from exc


def model_option(command):
    """``--model PATH``, shared by every command that scores text."""
    return click.option(
        "--model", "model_path", type=click.Path(path_type=Path), default=None,
        envvar="SLANT_MODEL", show_envvar=True,
        help="Model directory (default: the committed default model).",
    )(command)


@click.group(cls=SlantGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="slant")
def cli():
    """Slant: loaded language and editorial stance in news text, sentence by sentence.

    \b
    Example:
        slant analyze seeds/sensational.txt
    """


# ------------------------------------------------------------------ analyze
def _read_input(source: str, max_chars: int) -> str:
    from .textio import read_bounded, read_text_file

    if source == "-":
        return read_bounded(sys.stdin.buffer, max_chars, source="standard input")
    path = Path(source)
    if not path.exists():
        raise click.BadParameter(f"no such file: {source}", param_hint="FILE")
    if path.is_dir():
        raise click.BadParameter(f"{source} is a folder; use `slant score` for many files",
                                 param_hint="FILE")
    return read_text_file(path, max_chars=max_chars)


@cli.command()
@click.argument("file", metavar="FILE")
@click.option("--json", "as_json", is_flag=True, help="Print the full result as JSON.")
@click.option("--title", default=None, help="The article's headline, scored on its own.")
@click.option("--no-readability", is_flag=True, help="Skip readability metrics.")
@click.option("--explain", is_flag=True, help="Show the features behind each sentence's scores.")
@click.option("--color/--no-color", default=None,
              help="Colour the report (default: on a terminal).")
@model_option
def analyze(file, as_json, title, no_readability, explain, color, model_path):
    """Analyse one article (a UTF-8 text file, or - for standard input).

    \b
    Examples:
        slant analyze article.txt
        slant analyze --json article.txt
        cat article.txt | slant analyze -
    """
    from .analyzer import MAX_TEXT_CHARS, Analyzer
    from .report import render_report

    text = _read_input(file, MAX_TEXT_CHARS)
    analyzer = Analyzer(model_path)
    result = analyzer.analyze(text, title, readability=not no_readability, explain=explain)
    if as_json:
        click.echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
    else:
        click.echo(render_report(result, color=color), color=color)


# ------------------------------------------------------------------ train / eval / models
def _extra_files(ctx, param, values) -> list[list[str]]:
    """``--extra TASK=FILE`` values as ``[task, path]`` pairs (JSON-friendly: they are
    stored in the model's metadata)."""
    from .datasets import GENERIC_TASKS

    pairs = []
    for value in values:
        task, _, path = value.partition("=")
        if task not in GENERIC_TASKS or not path:
            raise click.BadParameter(f"{value!r}: expected TASK=FILE with TASK one of "
                                     f"{', '.join(GENERIC_TASKS)}", ctx=ctx, param=param)
        pairs.append([task, path])
    return pairs


@cli.command()
@click.option("--data", "data_dir", type=click.Path(path_type=Path), default=Path("../shared/data"),
              show_default=True, help="Folder with babe/, ptc/, basil/, checkthat-subj-en/, "
              "lexicons/.")
@click.option("--output", type=click.Path(path_type=Path), default=Path("models/default"),
              show_default=True, help="Model directory to write.")
@click.option("--seed", type=int, default=0, show_default=True, help="Random seed.")
@click.option("--max-sentences", type=int, default=None,
              help="Use at most this many sentences per corpus (whole articles; for quick runs).")
@click.option("--no-char-ngrams", is_flag=True, help="Word features only (smaller, faster).")
@click.option("--shape-features", is_flag=True,
              help="Add sentence-shape indicators (quotes, attribution, ! ?, person, digits, "
              "length bins) to the heads; not in the default model (docs/model.md).")
@click.option("--report/--no-report", default=True, show_default=True,
              help="Write report/ with plots and metrics.json.")
@click.option("--cv", "cv_folds", type=click.IntRange(min=2), default=None,
              help="Also report grouped K-fold cross-validation metrics on the training part "
              "(refits everything K times).")
@click.option("--search", is_flag=True,
              help="Choose the sentence heads' C values by grouped cross-validation first.")
@click.option("--extra", "extra", multiple=True, metavar="TASK=FILE", callback=_extra_files,
              help="Also train on a generic labelled .csv/.jsonl file whose `label` is TASK "
              "(bias, opinion or subjective); its `spans` train the term tagger. Repeatable. "
              "20%% of its groups are held out and scored like the corpora.")
@click.option("-q", "--quiet", is_flag=True, help="No progress messages.")
def train(data_dir, output, seed, max_sentences, no_char_ngrams, shape_features, report, cv_folds,
          search, extra, quiet):
    """Train a model from labelled corpora and write it with metadata and model card.

    \b
    Examples:
        slant train                                # ../shared/data -> models/default
        slant train --data /data/slant --output runs/try1
        slant train --cv 5 --search --output runs/tuned
        slant train --extra bias=my_labels.jsonl --output runs/mine
    """
    import time

    from .training import TrainingConfig, train_and_save

    config = TrainingConfig(seed=seed, max_sentences=max_sentences,
                            char_ngrams=not no_char_ngrams, shape_features=shape_features,
                            cv_folds=cv_folds, search=search, extra=extra)
    started = time.perf_counter()

    def progress(message: str) -> None:
        if not quiet:
            click.echo(f"[{time.perf_counter() - started:6.1f}s] {message}", err=True)

    model, directory = train_and_save(data_dir, output, config, progress, report=report)
    click.echo(f"wrote {directory}")
    if "cv" in model.metadata["metrics"]:
        cv = model.metadata["metrics"]["cv"]
        click.echo(f"grouped {cv['folds']}-fold cross-validation on the training part (mean):")
        click.echo(_metrics_table(cv["mean"]))
        click.echo("held-out split:")
    click.echo(_metrics_table(model.metadata["metrics"]["heldout"]))


def _metrics_table(metrics: dict) -> str:
    lines = ["task                 head      n      macro-F1  AUC    ECE    "
             "(a calibrated model's: median, 95%)"]
    for task, m in metrics["sentences"].items():
        noise = ""
        if m.get("ece_if_calibrated") is not None:
            noise = f"  ({m['ece_if_calibrated']:.3f}, {m['ece_if_calibrated_p95']:.3f})"
        # No AUC when the set holds one class only.
        auc = "  -  " if m["roc_auc"] is None else f"{m['roc_auc']:.3f}"
        lines.append(f"{task:<20} {m['head']:<8} {m['n']:>5}  {m['macro_f1']:8.3f}  "
                     f"{auc}  {m['ece']:.3f}{noise}")
    if metrics["terms"]:
        lines.append("terms (token level)  tokens   precision  recall  F1")
    for corpus, m in metrics["terms"].items():
        lines.append(f"{corpus:<20} {m['tokens']:>6}   {m['precision']:9.3f}  {m['recall']:6.3f}  "
                     f"{m['f1']:.3f}")
    return "\n".join(lines)


@cli.command(name="eval")
@click.argument("data", type=click.Path(path_type=Path))
@click.option("--task", type=click.Choice(["bias", "opinion", "subjective"]), default="bias",
              show_default=True, help="What `label` means in a generic CSV/JSONL file.")
@click.option("--json", "as_json", is_flag=True, help="Print metrics as JSON.")
@model_option
def evaluate(data, task, as_json, model_path):
    """Score a labelled set with a model and print the metrics.

    DATA is either a corpora folder (like ../shared/data: the held-out split is scored,
    reproducing the metrics in the model's metadata) or a generic .csv/.jsonl file with
    `text`, `label` and optional `spans` columns. Rows of a generic file that cannot be
    read are listed on stderr and left out; the exit status is then 3.

    \b
    Examples:
        slant eval ../shared/data
        slant eval labelled.jsonl --task opinion --model runs/try1
    """
    from .batch import EXIT_SOME_FAILED
    from .datasets import RowProblem, describe_problems
    from .evaluation import evaluate_on
    from .model import load_model

    model = load_model(model_path)
    metrics = evaluate_on(model, data, task=task)
    click.echo(json.dumps(metrics, indent=2) if as_json else _metrics_table(metrics))
    skipped = metrics.get("skipped_rows")
    if skipped:
        problems = [RowProblem(row["line"], row["error"]) for row in skipped]
        rows = "1 bad row" if len(skipped) == 1 else f"{len(skipped):,} bad rows"
        click.echo(f"left out {rows}:\n{describe_problems(data, problems)}", err=True)
        click.get_current_context().exit(EXIT_SOME_FAILED)


@cli.command(name="models")
@click.option("--root", type=click.Path(path_type=Path), default=None,
              help="Folder to search (default: the installed models).")
def list_models_command(root):
    """List installed models with their name, version and path.

    \b
    Example:
        slant models
    """
    from .model import list_models

    for entry in list_models(root):
        click.echo(f"{entry['name']}\t{entry['version']}\t{entry['created']}\t{entry['path']}")


# ------------------------------------------------------------------ score / summarize
def _output_file(ctx, param, value: Path) -> Path:
    """``slant score``'s output, which must be a file: it is written as a partial file
    that a killed run resumes, then renamed."""
    if str(value) == "-":
        raise click.BadParameter(
            "slant score writes a file that a killed run can resume, not standard output; "
            "give a path such as scored.jsonl (`slant analyze - --json` prints one "
            "document's result)", ctx=ctx, param=param)
    return value


@cli.command()
@click.argument("source", metavar="SOURCE")
@click.option("-o", "--output", required=True, type=click.Path(path_type=Path),
              callback=_output_file, help="Output file (.jsonl, .csv or .parquet).")
@click.option("--format", "output_format", type=click.Choice(["jsonl", "csv", "parquet"]),
              default=None, help="Output format (default: from the output's extension).")
@click.option("--input-format", type=click.Choice(["jsonl", "csv", "tsv", "parquet", "txt"]),
              default=None, help="Input format (default: from SOURCE's extension).")
@click.option("--text-column", default="text", show_default=True,
              help="Field or column holding the article text.")
@click.option("--id-column", default=None,
              help="Field or column holding the document id (default: `id` if present, "
              "else the line number).")
@click.option("--title-column", default=None,
              help="Field or column holding the headline (default: `title` if present).")
@click.option("--errors", "errors_path", type=click.Path(path_type=Path), default=None,
              help="File listing the documents that failed (default: OUTPUT.errors.jsonl).")
@click.option("--per-sentence", is_flag=True,
              help="CSV/Parquet: one row per sentence instead of one per document.")
@click.option("-j", "--jobs", type=click.IntRange(min=1), default=None,
              help="Worker processes (default 1; with --dask local, workers: default CPUs).")
@click.option("--dask", "dask_address", default=None, metavar="ADDRESS",
              help="Score on a Dask cluster: a scheduler address (tcp://host:8786) or `local`.")
@click.option("--chunk-size", type=click.IntRange(min=1), default=64, show_default=True,
              help="Documents per task and per journal write.")
@click.option("--unordered", is_flag=True,
              help="Write records as they finish instead of in input order.")
@click.option("--resume", is_flag=True, help="Continue an interrupted run (OUTPUT.partial).")
@click.option("--overwrite", is_flag=True, help="Replace an existing output or partial run.")
@click.option("--no-readability", is_flag=True, help="Skip readability metrics.")
@click.option("--no-terms", is_flag=True, help="Skip loaded-term detection.")
@click.option("--explain", is_flag=True, help="Include per-sentence explanations.")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar and no summary.")
@model_option
@click.pass_context
def score(ctx, source, output, output_format, input_format, text_column, id_column,
          title_column, errors_path, per_sentence, jobs, dask_address, chunk_size, unordered,
          resume, overwrite, no_readability, no_terms, explain, quiet, model_path):
    """Score a corpus: one record per document, resumable, in parallel if asked.

    SOURCE is a .txt file, a folder of .txt files (recursively), a JSONL, CSV, TSV or
    Parquet file, or - for JSONL on standard input. Documents that cannot be scored are
    listed in the errors file and never stop the run. Exit status: 0 when every document
    was scored, 3 when some failed, 1 on a fatal error. A killed run continues with
    --resume. See docs/batch.md.

    \b
    Examples:
        slant score corpus.jsonl -o scored.jsonl
        slant score articles/ -o scored.csv --format csv
        slant score news.csv --text-column body --id-column url -o scored.parquet
        slant score huge.jsonl -o out.jsonl --jobs 2
        slant score huge.jsonl -o out.jsonl --dask tcp://scheduler:8786
    """
    from .batch import AnalysisOptions, partial_path_for, score_corpus

    options = AnalysisOptions(readability=not no_readability, terms=not no_terms,
                              explain=explain)
    try:
        summary = score_corpus(
            source, output, output_format=output_format, errors_path=errors_path,
            input_format=input_format, text_column=text_column, id_column=id_column,
            title_column=title_column, model_path=model_path, options=options, jobs=jobs,
            dask=dask_address, chunk_size=chunk_size, ordered=not unordered,
            per_sentence=per_sentence, resume=resume, overwrite=overwrite,
            progress=not quiet and sys.stderr.isatty())
    except KeyboardInterrupt:
        click.echo(f"\ninterrupted: the records written so far are in "
                   f"{partial_path_for(output)}; run the same command with --resume to "
                   "continue", err=True)
        raise click.Abort() from None
    if not quiet:
        click.echo(summary.describe(), err=True)
    ctx.exit(summary.exit_code)


@cli.command()
@click.argument("scored", metavar="SCORED")
@click.option("--source-field", default=None,
              help="Record field naming the outlet (default: `source` if present).")
@click.option("--top", type=click.IntRange(min=1), default=15, show_default=True,
              help="How many loaded terms to list.")
@click.option("--plot", "plot_path", type=click.Path(path_type=Path), default=None,
              help="Also draw histograms to this PNG (needs matplotlib).")
@click.option("--json", "as_json", is_flag=True, help="Print the statistics as JSON.")
def summarize(scored, source_field, top, plot_path, as_json):
    """Summarise scored records: score distributions, frequent terms, per-source figures.

    SCORED is the JSONL output of `slant score` (or - for standard input).

    \b
    Examples:
        slant summarize scored.jsonl
        slant summarize scored.jsonl --source-field outlet --plot scores.png
    """
    from .summary import plot_summary, render_summary, summarize_file

    summary = summarize_file(scored, source_field=source_field, top=top)
    if as_json:
        click.echo(json.dumps(summary.to_dict(), ensure_ascii=False, indent=2))
    else:
        click.echo(render_summary(summary))
    if plot_path is not None:
        click.echo(f"wrote {plot_summary(summary, plot_path)}", err=True)


# ------------------------------------------------------------------ serve
@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to bind (0.0.0.0 exposes the API to the network).")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True,
              help="TCP port.")
@click.option("--workers", type=click.IntRange(min=1), default=2, show_default=True,
              help="Worker processes (about one per CPU core).")
@click.option("--threads", type=click.IntRange(min=1), default=1, show_default=True,
              help="Threads per worker (more than 1 uses gunicorn's gthread workers).")
@click.option("--timeout", type=click.IntRange(min=1), default=30, show_default=True,
              help="Seconds a request may run before its worker is restarted.")
@click.option("--graceful-timeout", type=click.IntRange(min=1), default=20, show_default=True,
              help="Seconds in-flight requests get to finish after SIGTERM.")
@click.option("--client-timeout", type=click.FloatRange(min=0), default=5.0,
              show_default=True,
              help="Seconds a client may go silent while sending its request before it "
                   "gets 408, or stop reading its answer before it is dropped (0 for no "
                   "limit).")
@click.option("--access-log/--no-access-log", default=True, show_default=True,
              help="One JSON line per request on stderr.")
@model_option
def serve(host, port, workers, threads, timeout, graceful_timeout, client_timeout, access_log,
          model_path):
    """Serve the HTTP API with gunicorn (configure limits with SLANT_* variables).

    The model is loaded once, before the workers fork. SIGTERM stops gracefully.
    See docs/api.md for the endpoints and settings; /docs serves the reference.

    \b
    Examples:
        slant serve
        slant serve --port 8080 --workers 4 --model runs/try1
        SLANT_RATE_LIMIT=60/minute slant serve
    """
    from api import create_app
    from api.server import check_address
    from api.server import serve as run_server

    try:
        check_address(host, port)
    except OSError as exc:
        raise click.ClickException(
            f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    app = create_app(None if model_path is None else {"MODEL": str(model_path)})

    def announce(urls: list[str]) -> None:
        # Said once the socket is bound, so `--port 0` shows the port the system chose.
        click.echo(f"slant: serving {app.extensions['slant'].model.info['name']} on "
                   f"{', '.join(urls)} ({workers} worker{'s' * (workers > 1)})", err=True)

    run_server(app, host=host, port=port, workers=workers, threads=threads, timeout=timeout,
               graceful_timeout=graceful_timeout, client_timeout=client_timeout,
               access_log=access_log, on_listening=announce)


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``slant`` console script; returns the exit status."""
    try:
        # Without standalone mode, click returns ``ctx.exit(code)``'s code (3 from `slant
        # score` when documents failed) instead of raising it.
        status = cli.main(args=argv, prog_name="slant", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        return 130
    except click.ClickException as exc:
        exc.show()
        return exc.exit_code
    except click.exceptions.Exit as exc:
        return exc.exit_code
    return status if isinstance(status, int) and not isinstance(status, bool) else 0


if __name__ == "__main__":
    sys.exit(main())
