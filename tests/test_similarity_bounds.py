"""The similarity the near-copy rule uses, against difflib itself; the
words it compares, against the first way they were found.

``checks.text._similarity`` computes difflib's two quick upper bounds itself
(to skip making a SequenceMatcher for most pairs); its answers must be
exactly those of the straightforward code that asks a SequenceMatcher for
all three ratios, on real-world-shaped titles: reordered, truncated, with
punctuation, digits, non-ASCII letters, one-word and empty titles.
"""

from __future__ import annotations

import difflib
import itertools
import random

from hypothesis import given, settings
from hypothesis import strategies as st

from okrsite.checks.text import _similarity, content_words, near_copy, words

TITLES = [
    "Win the mid-market",
    "Win the mid-market across all regions",
    "Grow mid-market revenue",
    "Make trials convert for mid-market teams",
    "Cut time to first value",
    "Cut time-to-first-value for new accounts in EMEA",
    "Reduce churn",
    "Reduce churn in the SMB segment to 2%",
    "Launch the partner portal",
    "Ship v2 of the API & SDK",
    "Ship v2 of the SDK & API",
    "Make onboarding delightful",
    "Onboarding: make it delightful",
    "Réduire le délai de réponse du support",
    "Réduire le délai de réponse",
    "Q3 NPS ≥ 45",
    "NPS",
    "the",
    "",
    "Be the #1 data platform for mid-market teams",
    "Be the number one data platform for teams",
    "Hire 5 engineers",
]


def reference_similarity(wa: list[str], wb: list[str], floor: float) -> float:
    """The code before the quick bounds moved out of difflib (its behaviour spec)."""
    sa, sb = set(wa), set(wb)
    jaccard = len(sa & sb) / len(sa | sb)
    matcher = difflib.SequenceMatcher(None, " ".join(wa), " ".join(wb), autojunk=False)
    bar = max(jaccard, floor)
    if matcher.real_quick_ratio() < bar or matcher.quick_ratio() < bar:
        return jaccard
    return max(jaccard, matcher.ratio())


def shuffled_variants(rng: random.Random, title: str) -> list[str]:
    words = title.split()
    out = []
    for _ in range(3):
        cut = words[: rng.randint(1, max(1, len(words)))]
        rng.shuffle(cut)
        out.append(" ".join(cut + rng.sample(["fast", "globally", "for EMEA", "Q4"], 1)))
    return out


def test_similarity_equals_difflibs_answer_on_every_pair() -> None:
    rng = random.Random(16)
    titles = TITLES + [v for t in TITLES if t for v in shuffled_variants(rng, t)]
    compared = 0
    for a, b in itertools.product(titles, repeat=2):
        wa, wb = content_words(a), content_words(b)
        if not wa or not wb:
            continue
        for floor in (0.0, 0.5, 0.8):
            assert _similarity(a, b, wa, wb, floor) == reference_similarity(wa, wb, floor), (a, b)
            compared += 1
    assert compared > 10_000


def test_near_copy_with_given_words_equals_near_copy() -> None:
    for a, b in itertools.product(TITLES, repeat=2):
        given = near_copy(a, b, child_words=content_words(a), parent_words=content_words(b))
        assert given == near_copy(a, b)
    assert near_copy("Win the mid-market across all regions", "Win the mid-market") is not None


def reference_words(text: str) -> list[str]:
    """``checks.text.words`` as it was written first: split into tokens, then
    the words of each token (its behaviour spec)."""
    import re

    word = re.compile(r"[a-z0-9]+(?:['’][a-z]+)?")
    lowered = text.lower().replace("&", " & ").replace("+", " + ")
    out: list[str] = []
    for token in lowered.split():
        if token in ("&", "+"):
            out.append(token)
            continue
        out.extend(word.findall(token))
    return out


@settings(max_examples=600, deadline=None)
@given(
    st.text(
        alphabet=st.sampled_from(
            [*"aZz09'’&+-_.,:;#/ \t\n\r\x0b\x0c\xa0\u2003\u2028", "İ", "é", "ß", "Ǆ", "ﬁ"]
        ),
        max_size=40,
    )
)
def test_words_in_one_pass_equal_words_token_by_token(text: str) -> None:
    assert words(text) == reference_words(text)


def test_words_on_titles() -> None:
    for title in [*TITLES, "R&D + QA: don't ship", "we'll hire 5 SREs & 2 PMs", "a'&b ’x"]:
        assert words(title) == reference_words(title)
    assert words("R&D+QA") == ["r", "&", "d", "+", "qa"]
