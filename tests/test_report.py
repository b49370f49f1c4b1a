"""The terminal report (classifier.report)."""

import re

import click

from classifier.report import render_report
from classifier.results import AnalysisResult, ArticleSummary, SentenceResult, Term

ANSI = re.compile(r"\x1b\[[0-9;]*m")


def _result(text: str, terms: list[tuple[str, str]]) -> AnalysisResult:
    found = []
    for word, polarity in terms:
        start = text.index(word)
        found.append(Term(start, start + len(word), word, 0.4, polarity, False))
    sentence = SentenceResult(0, 0, len(text), text, 0.7, 0.6, False, found)
    summary = ArticleSummary(0.7, 0.6, 1.0, 1, 1, 0, None, [], None)
    return AnalysisResult({"name": "m", "version": "1"}, [sentence], summary)


LONG = ("The council's bungling officials wreaked havoc on the town budget and then, "
        "without a word of apology to anyone, shut the only bridge for eighteen months.")


def _body(report: str) -> list[str]:
    lines = report.splitlines()
    return lines[lines.index(" #  loaded stance") + 1:]


def test_coloured_lines_wrap_at_the_visible_width():
    result = _result(LONG, [("bungling", "negative"), ("wreaked havoc", "negative")])
    plain = _body(render_report(result, color=False, width=60))
    coloured = _body(render_report(result, color=True, width=60))
    # Colour codes take no room on screen: stripped, the coloured report is the plain one.
    assert [ANSI.sub("", line) for line in coloured] == plain
    assert len(plain) > 2 and all(len(line) <= 60 for line in plain)
    assert "[bungling]" in plain[0]


def test_a_term_split_over_two_lines_is_coloured_on_both():
    text = "aaaa bbbb wreaked havoc cccc"
    result = _result(text, [("wreaked havoc", "negative")])
    lines = _body(render_report(result, color=True, width=18 + 19))
    red = click.style("", fg="red", bold=True).replace("\x1b[0m", "")
    assert [ANSI.sub("", line)[18:] for line in lines] == ["aaaa bbbb [wreaked", "havoc] cccc"]
    assert red in lines[-2] and lines[-2].endswith("\x1b[0m")
    assert lines[-1].lstrip().startswith(red)


def test_positive_terms_are_green_and_marker_like_characters_stay_text():
    text = "A huge success \ue000 for them."
    report = render_report(_result(text, [("huge success", "positive")]), color=True)
    assert click.style("[huge success]", fg="green", bold=True) in report
    assert "\ufffd for them." in ANSI.sub("", report)
