"""Tests for classifier.quotes: quotation spans, attribution and the sentence `quoted` flag."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from classifier.quotes import (
    find_quotations,
    is_attributed,
    is_inside,
    quoted_flags,
    quoted_fraction,
    sentence_is_quoted,
)
from classifier.sentences import split_sentences

QUOTE_MARKS = "\"'“”„«»‘’"


def quotations(text: str) -> list[str]:
    return [text[start:end] for start, end in find_quotations(text)]


def assert_valid_spans(text: str, spans: list[tuple[int, int]]) -> None:
    previous_end = 0
    for start, end in spans:
        assert previous_end <= start < end <= len(text)
        previous_end = end


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Curly and straight double quotes, across sentence boundaries.
        ("“This is bad. We will fight,” he said.", ["“This is bad. We will fight,”"]),
        ('"This is bad. We will fight," he said.', ['"This is bad. We will fight,"']),
        ('He said "no." Then he left.', ['"no."']),
        ('"Yes," she said. "No," he said.', ['"Yes,"', '"No,"']),
        ("“It’s over,” she said, “and we lost.”", ["“It’s over,”", "“and we lost.”"]),
        # Attribution in the middle of a quote.
        ("“We will win,” he said, “because we must.”", ["“We will win,”", "“because we must.”"]),
        # Nested single quotes inside double ones, and the British way round.
        ("“He told me ‘no way’ and left,” she said.", ["“He told me ‘no way’ and left,”"]),
        ('"He told me \'no way\' and left," she said.', ['"He told me \'no way\' and left,"']),
        ("‘He told me “no way” and left,’ she said.", ["‘He told me “no way” and left,’"]),
        ("‘We will win’ he said", ["‘We will win’"]),
        # Apostrophes are not quotation marks.
        ("I don’t know about the ’90s or Jones’ car.", []),
        ("I don't know about the '90s or Jones' car.", []),
        ("It’s the dogs’ bowls and the boss’s desk.", []),
        ("‘Look at the dogs’ bowls,’ she said.", ["‘Look at the dogs’ bowls,’"]),
        ("'I don't know,' he said.", ["'I don't know,'"]),
        ("Rock ’n’ roll never dies.", []),
        # Scare quotes are quotations too.
        ("So-called “experts” disagree.", ["“experts”"]),
        ("The ‘plan’ failed.", ["‘plan’"]),
        ('Their "reform" is a "tax hike."', ['"reform"', '"tax hike."']),
        # Unclosed quotes run to the end of the paragraph, not beyond.
        ("“Unclosed quote runs on. And on.\n\nNew paragraph.",
         ["“Unclosed quote runs on. And on."]),
        ("He said “unclosed\n\nNew “closed” one.", ["“unclosed", "“closed”"]),
        ("‘Unclosed single quote here.", []),
        # A multi-paragraph quote reopens each paragraph.
        ("“First paragraph of the quote.\n\n“Second paragraph,” he said.",
         ["“First paragraph of the quote.", "“Second paragraph,”"]),
        # ...also when paragraphs are single lines, too long to be hard-wrapped.
        ("“First paragraph of a long quote goes on and on, long enough to count as a paragraph "
         "on a line of its own.\n“Second paragraph,” he said.",
         ["“First paragraph of a long quote goes on and on, long enough to count as a paragraph "
          "on a line of its own.", "“Second paragraph,”"]),
        # A quote in a hard-wrapped paragraph spans its line breaks.
        ("“This is bad,\nwe will fight,” he said.", ["“This is bad,\nwe will fight,”"]),
        # Other conventions.
        ("„Das ist gut“, sagte er.", ["„Das ist gut“"]),
        ("« C’est fini », dit-il.", ["« C’est fini »"]),
        ("He said ”yes” today.", ["”yes”"]),
        ("(“Quoted in brackets”)", ["“Quoted in brackets”"]),
        ("No quotes at all.", []),
        ("", []),
        ('A stray closing mark" here.', []),
    ],
)
def test_find_quotations(text, expected):
    assert quotations(text) == expected


SPANS = [(2, 5), (10, 20)]


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (2, 5, True),
        (3, 4, True),
        (10, 20, True),
        (12, 15, True),
        (0, 3, False),
        (4, 6, False),
        (5, 10, False),
        (9, 11, False),
        (19, 21, False),
        (25, 30, False),
        (0, 1, False),
    ],
)
def test_is_inside(start, end, expected):
    assert is_inside(SPANS, start, end) is expected


def test_is_inside_with_no_spans():
    assert not is_inside([], 0, 1)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("“Half quoted” and not.", 10 / 16),
        ("“All of it.”", 1.0),
        ("None of it.", 0.0),
        ("“” !!", 0.0),
        ("", 0.0),
        ("“Café” crème", 4 / 9),
    ],
)
def test_quoted_fraction_of_whole_text(text, expected):
    spans = find_quotations(text)
    assert quoted_fraction(spans, 0, len(text), text) == pytest.approx(expected)


def test_quoted_fraction_of_part_of_a_span():
    text = "“abcd efgh”"
    assert quoted_fraction([(0, len(text))], 1, 5, text) == 1.0
    assert quoted_fraction([(0, 3)], 0, len(text), text) == 0.25
    assert quoted_fraction([(0, 3), (8, 11)], 0, len(text), text) == 0.5


@pytest.mark.parametrize(
    "sentence",
    [
        "The minister said the plan was a disaster.",
        "According to police, the suspect fled.",
        "The suspect fled, according to police.",
        "The suspect fled, according to the police report.",
        '"We will win," she said.',
        "“We will win,” said Smith.",
        "“We will win,” he later said.",
        "He also said the deal was dead.",
        "John Smith, a spokesman for the ministry, said the plan was dead.",
        "Officials say the bridge will close.",
        "Critics argue the law is unfair.",
        "They claim the vote was rigged.",
        "Police alleged that he fled.",
        "The company announced that it would cut jobs.",
        "Trump tweeted that the press was the enemy.",
        "The senator insisted the bill would pass.",
        "She warned that prices would rise.",
        "He told reporters the talks had failed.",
        "The report, citing sources, said talks had stalled.",
        "Rep. Smith (D-N.Y.) said the bill was dead.",
        "The mayor has repeatedly claimed that crime is down.",
    ],
)
def test_attributed(sentence):
    assert is_attributed(sentence)


@pytest.mark.parametrize(
    "sentence",
    [
        "The plan is a disaster.",
        "Critics are wrong.",
        "The alleged fraud was huge.",
        "His stated goal is absurd.",
        "The plan, which was announced Monday, is bad.",
        "The policy announced by the minister is a disaster.",
        "Apple's announced plan is bad.",
        "It is fair to say the plan failed.",
        "He is said to be furious.",
        "I said the plan was bad.",
        "We believe the plan is bad.",
        "Everything went according to plan.",
        "The budget report is a disaster.",
        "The so-called reforms are a tax hike.",
        "Said the spokesman nothing.",
        "",
    ],
)
def test_not_attributed(sentence):
    assert not is_attributed(sentence)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Mostly inside quotation marks.
        ("“This is a disaster for the country and for all of us,” he said.", [True]),
        ('"This is bad. We will fight," he said.', [True, True]),
        ("“Never.”", [True]),
        ("“No,” he said.", [True]),
        ("“We will not surrender to anyone, ever again,” read the banner.", [True]),
        ("The crowd chanted “we want our money back” while police watched the protest from "
         "across the busy street.", [False]),
        # Attributed indirect speech.
        ("The minister said the plan was a disaster.", [True]),
        ("According to police, the suspect fled.", [True]),
        # The writer's own voice, scare quotes included.
        ("The plan is a disaster.", [False]),
        ("So-called “experts” are wrong again.", [False]),
        ("The “reform” is nothing but a tax hike on working families.", [False]),
        # Attribution buried under a long description of the source is the writer's framing.
        ("The disgraced, corrupt and widely mocked former minister, who lied to voters for "
         "years, said no.", [False]),
        # Attribution after a short quote: the quote is the reported part.
        ("“We lost,” said the tired and bitter former minister of finance.", [False]),
        ("“We lost the vote and the country,” said the minister.", [True]),
        # A name and affiliation are not the writer's framing.
        ("“This is a barbaric plan,” said Dr. Ann Lee of the U.S. Chamber of Commerce.", [True]),
        # A report closed by its attribution is reported speech.
        ("The bridge will stay closed until May, officials said.", [True]),
        # A multi-paragraph quote keeps every sentence quoted.
        ("“First we lost. Then we won.\n\n“And now we rest,” he said.", [True, True, True]),
        # Mixed article.
        ("Prices rose. “It hurts,” said a shopper. Officials say relief is coming. Critics are "
         "wrong.", [False, True, True, False]),
    ],
)
def test_sentence_is_quoted(text, expected):
    quotes = find_quotations(text)
    sentences = split_sentences(text)
    flags = [sentence_is_quoted(text, s, e, quotes) for s, e in sentences]
    assert flags == expected
    assert quoted_flags(text, sentences, quotes) == expected


@pytest.mark.parametrize(
    "text",
    [
        '"' * 100_000,
        "“" * 100_000,
        "'" * 100_000,
        "’ ‘" * 50_000,
        '"a" ' * 100_000,
        "“Unclosed. " + "Still quoted. " * 20_000,  # one span over 20k sentences
        "a’s " * 100_000,
    ],
    ids=lambda text: repr(text[:6]),
)
def test_pathological_inputs_complete(text):
    spans = find_quotations(text)
    assert_valid_spans(text, spans)
    for start, end in split_sentences(text):
        sentence_is_quoted(text, start, end, spans)


QUOTE_ALPHABET = st.sampled_from(
    list("ab Xs9.,!?—-()\n\t") + list(QUOTE_MARKS) + ["\n\n", " said ", "According to "]
)


@settings(max_examples=150, deadline=None)
@given(st.lists(QUOTE_ALPHABET, max_size=60).map("".join))
def test_spans_are_valid_on_quote_heavy_text(text):
    spans = find_quotations(text)
    assert_valid_spans(text, spans)
    for start, _ in spans:
        assert text[start] in QUOTE_MARKS  # a quotation starts at its opening mark
    sentences = split_sentences(text)
    for start, end in sentences:
        fraction = quoted_fraction(spans, start, end, text)
        assert 0.0 <= fraction <= 1.0
        assert isinstance(sentence_is_quoted(text, start, end, spans), bool)
    # One pass over all sentences decides as each sentence on its own does.
    assert quoted_flags(text, sentences, spans) == [
        sentence_is_quoted(text, start, end, spans) for start, end in sentences]


@settings(max_examples=100, deadline=None)
@given(st.text(), st.integers(0, 40), st.integers(0, 40))
def test_never_crashes_and_is_inside_agrees_with_a_naive_check(text, a, b):
    spans = find_quotations(text)
    assert_valid_spans(text, spans)
    start, end = min(a, b), max(a, b)
    naive = any(s <= start and end <= e for s, e in spans)
    assert is_inside(spans, start, end) is naive
    letters = [i for i in range(start, min(end, len(text))) if text[i].isalnum()]
    inside = [i for i in letters if any(s <= i < e for s, e in spans)]
    expected = len(inside) / len(letters) if letters else 0.0
    assert quoted_fraction(spans, start, end, text) == pytest.approx(expected)
    is_attributed(text)
