"""One number, one meaning: a shown progress or score and its colour band agree.

The rule (``okrsite/analysis/progress.py``): values are shown at hundredths
(``66%`` or ``0.66``) and banded as shown. Property tests check that for any
value and any thresholds the text parses back into the same band; example
tests pin the cases from real content (0.66 with green at 0.7, 0.88 with
green at 0.9, over-achievement 1.2).
"""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from okrsite.analysis.progress import (
    BAND_LABELS,
    band,
    bar_width,
    fraction_text,
    percent,
    score_text,
    shown,
)
from okrsite.model import KeyResult, Scoring
from okrsite.site.pages.components import progress_bar

LABEL_TO_BAND = {label: name for name, label in BAND_LABELS.items()}


def parse_shown(text: str) -> float:
    """What a reader reads: ``66%`` → 0.66, ``0.66`` → 0.66, ``120%`` → 1.2."""
    if text.endswith("%"):
        return int(text[:-1]) / 100
    return float(text)


values = st.floats(min_value=0.0, max_value=10.0, allow_nan=False, allow_infinity=False)
fractions = st.floats(min_value=0.0, max_value=1.0, allow_nan=False, allow_infinity=False)


@st.composite
def scorings(draw: st.DrawFn) -> Scoring:
    a, b = draw(fractions), draw(fractions)
    return Scoring(green=max(a, b), yellow=min(a, b))


@settings(max_examples=500, deadline=None)
@given(values, scorings(), st.booleans())
def test_shown_text_parses_back_into_the_same_band(
    value: float, scoring: Scoring, graded: bool
) -> None:
    """For any value and thresholds, band(what the reader reads) == the band shown."""
    text = fraction_text(value, graded=graded)
    assert band(parse_shown(text), scoring) == band(value, scoring)


@settings(max_examples=300, deadline=None)
@given(values, scorings(), st.booleans())
def test_progress_bar_text_class_and_aria_agree(
    value: float, scoring: Scoring, graded: bool
) -> None:
    """The bar's number, band word, colour class and aria-label tell one story."""
    html = str(progress_bar(value, scoring, graded=graded))
    match = re.search(r'okr-progress__text">([^ ]+) · ([a-z ]+)</span>', html)
    assert match is not None, html
    number, word = match.groups()
    colour = LABEL_TO_BAND[word]
    assert f"okr-band--{colour}" in html
    assert band(parse_shown(number), scoring) == colour
    assert f'aria-label="{"score" if graded else "progress"} {number}, {word}"' in html
    assert 0 <= bar_width(value) <= 100


def test_real_cases_from_the_issue() -> None:
    """0.66 with green at 0.7 is "0.66 · at risk" (never "0.7"); 0.88 with green
    at 0.9 is "88% · at risk" (never "0.9"/"90%")."""
    scoring = Scoring(green=0.7, yellow=0.4)
    assert "0.66 · at risk" in str(progress_bar(0.66, scoring, graded=True))
    assert "0.7" not in str(progress_bar(0.66, scoring, graded=True)).split("__text")[1]
    strict = Scoring(green=0.9, yellow=0.5)
    assert "88% · at risk" in str(progress_bar(0.88, strict))
    assert "0.88 · at risk" in str(progress_bar(0.88, strict, graded=True))


def test_rounding_is_half_up_on_the_written_decimal() -> None:
    """0.665 (as written) shows as 0.67 and 67%, and is banded as 0.67."""
    assert shown(0.665) == 0.67
    assert score_text(0.665) == "0.67" and percent(0.665) == "67%"
    assert band(0.695, Scoring(green=0.7, yellow=0.4)) == "green"  # shown as 70%
    assert band(0.694, Scoring(green=0.7, yellow=0.4)) == "yellow"  # shown as 69%


def test_scores_above_one_are_kept_bar_capped() -> None:
    """Over-achievement: the model accepts 1.2, the number says 1.2, the bar is full."""
    kr = KeyResult(id="x", title="X", score=1.2)
    assert kr.score == 1.2
    html = str(progress_bar(1.2, Scoring(), graded=True))
    assert "1.2 · on track" in html and 'style="width:100%"' in html
    assert percent(1.2) == "120%"
    with pytest.raises(ValidationError):
        KeyResult(id="x", title="X", score=-0.1)


def test_score_text_keeps_one_decimal() -> None:
    """Grades read like grades: 1.0, 0.7, 0.66, 0."""
    assert [score_text(v) for v in (1.0, 0.7, 0.66, 0.0, None)] == ["1.0", "0.7", "0.66", "0.0", "–"]
