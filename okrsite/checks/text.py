"""Small text helpers for the rules: quoting content, activity words, similarity.

Pure functions; no model knowledge.
"""

from __future__ import annotations

import difflib
import re
from collections import Counter
from dataclasses import dataclass

QUOTE_LIMIT = 80

_WORD_RE = re.compile(r"[a-z0-9]+(?:['’][a-z]+)?|[&+]")
"""A word (letters and digits, maybe with an apostrophe: ``don't``), or ``&``
or ``+`` as words of their own. No match holds whitespace, so one pass over
the whole text finds what splitting it into words first would."""

# Base forms of verbs that describe work to do rather than a result to reach.
# Outcome verbs (increase, reduce, grow, improve, raise, cut…) are *not* here.
ACTIVITY_VERBS: frozenset[str] = frozenset(
    {
        "attend", "begin", "build", "complete", "conduct", "create",
        "define", "deliver", "deploy", "design", "develop", "document",
        "draft", "establish", "explore", "finalise", "finalize", "finish",
        "hire", "hold", "implement", "integrate", "introduce", "investigate",
        "launch", "migrate", "organise", "organize", "plan", "prepare",
        "publish", "recruit", "redesign", "refactor", "release", "replace",
        "research", "rewrite", "run", "ship", "start", "train", "upgrade",
        "write",
    }
)

# Two-word activities ("roll out", "set up"…), matched as consecutive words.
ACTIVITY_PHRASES: frozenset[tuple[str, str]] = frozenset(
    {
        ("roll", "out"), ("rolled", "out"), ("rolling", "out"), ("rolls", "out"),
        ("set", "up"), ("sets", "up"), ("setting", "up"),
        ("kick", "off"), ("kicked", "off"), ("kicking", "off"),
        ("put", "in"), ("stand", "up"), ("spin", "up"),
    }
)

# Irregular forms that the suffix rules below do not produce.
_IRREGULAR = {
    "built": "build", "began": "begin", "begun": "begin", "held": "hold",
    "ran": "run", "wrote": "write", "written": "write", "rewrote": "rewrite",
    "rewritten": "rewrite",
}

# Words after which a new clause (and so a new verb) may start.
_CLAUSE_BREAKS = frozenset({"and", "then", "&", "+"})
# Filler that may precede the verb: "We will launch…", "To hire…".
_LEADING_FILLER = frozenset({"to", "we", "will", "we'll", "i", "must", "should", "and"})

STOPWORDS = frozenset(
    {
        "a", "an", "the", "and", "or", "of", "for", "to", "in", "on", "at",
        "by", "with", "our", "we", "their", "its", "is", "are", "be", "all",
        "from", "into", "so", "that", "this", "us",
    }
)


def quote(text: str, limit: int = QUOTE_LIMIT) -> str:
    """Content text for a one-line message: whitespace collapsed, shortened,
    in single quotes. Not escaped: renderers escape messages."""
    flat = " ".join(text.split())
    if len(flat) > limit:
        flat = flat[: limit - 1].rstrip() + "…"
    return f"'{flat}'"


def words(text: str) -> list[str]:
    """Lowercase words of ``text`` (letters and digits; ``&`` kept as a word)."""
    return _WORD_RE.findall(text.lower())


def verb_base(word: str) -> str | None:
    """The activity verb ``word`` is a form of (``launched`` → ``launch``), or None."""
    if word in ACTIVITY_VERBS:
        return word
    if word in _IRREGULAR:
        return _IRREGULAR[word]
    candidates: list[str] = []
    for suffix in ("ing", "ed", "es", "s"):
        if word.endswith(suffix) and len(word) > len(suffix) + 2:
            stem = word[: -len(suffix)]
            candidates += [stem, stem + "e"]
            if len(stem) > 2 and stem[-1] == stem[-2]:  # shipped → ship
                candidates.append(stem[:-1])
    for candidate in candidates:
        if candidate in ACTIVITY_VERBS:
            return candidate
    return None


def activity_verb(title: str) -> str | None:
    """The activity a title starts with (or starts a clause with), e.g.
    ``"Launch the partner portal"`` → ``"launch"``; ``None`` for outcome titles.

    Only clause-initial words count, so "Cut build time" is not an activity
    ("build" is a noun there) while "Design and launch X" is.
    """
    tokens = words(title)
    positions = []
    i = 0
    while i < len(tokens) and tokens[i] in _LEADING_FILLER:
        i += 1
    positions.append(i)
    positions += [n + 1 for n, tok in enumerate(tokens) if tok in _CLAUSE_BREAKS]
    for pos in positions:
        if pos >= len(tokens):
            continue
        if pos + 1 < len(tokens) and (tokens[pos], tokens[pos + 1]) in ACTIVITY_PHRASES:
            return f"{tokens[pos]} {tokens[pos + 1]}"
        base = verb_base(tokens[pos])
        if base is not None:
            return tokens[pos]
    return None


def content_words(text: str) -> list[str]:
    """Words of ``text`` without stopwords, for similarity."""
    return [w for w in words(text) if w not in STOPWORDS and w not in ("&", "+")]


def similarity(a: str, b: str, *, floor: float = 0.0) -> float:
    """How alike two titles are, 0..1: the larger of the Jaccard index of their
    content words and difflib's ratio of the normalized texts.

    With ``floor``, a result below ``floor`` may be an underestimate (the
    costly ratio is skipped when its upper bounds cannot reach ``floor``);
    results at or above it are exact.
    """
    return _similarity(a, b, content_words(a), content_words(b), floor)


def _similarity(a: str, b: str, wa: list[str], wb: list[str], floor: float) -> float:
    """:func:`similarity` given the content words of ``a`` and ``b``."""
    if not wa or not wb:
        return 1.0 if " ".join(words(a)) == " ".join(words(b)) else 0.0
    sa, sb = set(wa), set(wb)
    jaccard = len(sa & sb) / len(sa | sb)
    ta, tb = " ".join(wa), " ".join(wb)
    # difflib's quick ratios are upper bounds of ratio(): skip the costly one
    # when it cannot beat the Jaccard index. Both are computed here the way
    # difflib does (2·matches / total length), before a SequenceMatcher is
    # made: making one indexes the second text, which most pairs never need.
    bar = max(jaccard, floor)
    total = len(ta) + len(tb)
    if 2.0 * min(len(ta), len(tb)) / total < bar:  # real_quick_ratio()
        return jaccard
    counts = Counter(tb)
    matches = sum(min(n, counts.get(char, 0)) for char, n in Counter(ta).items())
    if 2.0 * matches / total < bar:  # quick_ratio(): characters in common, with repeats
        return jaccard
    matcher = difflib.SequenceMatcher(None, ta, tb, autojunk=False)
    return max(jaccard, matcher.ratio())


NEAR_COPY_SIMILARITY = 0.8
"""Similarity (:func:`similarity`) from which two titles are near-copies."""
CONTAINED_MIN_WORDS = 2
"""Fewest content words of a title found inside the other for it to count."""
CONTAINED_MIN_SHARE = 0.5
"""The contained title must be at least this share of the other's words."""
OVERLAP_MIN_JACCARD = 0.6
"""Word-set Jaccard index from which two titles share most of their words…"""
OVERLAP_MIN_SHARED = 3
"""…provided they share at least this many distinct content words."""


@dataclass(frozen=True)
class NearCopy:
    """Why a child's title is a near-copy of its parent's."""

    how: str
    """``alike``, ``child-in-parent``, ``parent-in-child`` or ``overlap``."""
    score: float
    """Similarity 0..1 (for ``alike``) or shared-word share (the others)."""

    def describe(self) -> str:
        """A few words for a message, e.g. ``its title contains the parent's``."""
        if self.how == "child-in-parent":
            return "the parent's title contains it"
        if self.how == "parent-in-child":
            return "its title contains the parent's"
        if self.how == "overlap":
            return f"{round(self.score * 100)}% of their words shared"
        return f"{round(self.score * 100)}% alike"


def _contains(longer: list[str], shorter: list[str]) -> bool:
    """Whether ``shorter`` appears as consecutive words in ``longer``."""
    n = len(shorter)
    return any(longer[i : i + n] == shorter for i in range(len(longer) - n + 1))


def near_copy(
    child: str,
    parent: str,
    *,
    child_words: list[str] | None = None,
    parent_words: list[str] | None = None,
) -> NearCopy | None:
    """Whether ``child`` merely restates ``parent`` (``None`` if it does not).

    Compared on content words (lower-cased, small words dropped), in order:
    the same words; one title's words found consecutively inside the
    other's, when they are at least two words and half of the other's
    (``Win the mid-market`` in ``Win the mid-market across all regions``, or
    a truncated copy); nearly the same text (:func:`similarity` ≥ 0.8); or a
    high word overlap (a Jaccard index ≥ 0.6 over at least three shared
    words, e.g. the parent with words inserted or reordered).

    ``child_words``/``parent_words``: the titles' :func:`content_words`, if
    the caller has them already (a parent title is compared with each of
    its children).
    """
    cw = content_words(child) if child_words is None else child_words
    pw = content_words(parent) if parent_words is None else parent_words
    if cw == pw:
        return NearCopy("alike", 1.0)
    for how, shorter, longer in (("child-in-parent", cw, pw), ("parent-in-child", pw, cw)):
        if (
            len(shorter) >= CONTAINED_MIN_WORDS
            and len(shorter) <= len(longer)
            and len(shorter) >= CONTAINED_MIN_SHARE * len(longer)
            and _contains(longer, shorter)
        ):
            return NearCopy(how, len(shorter) / len(longer))
    score = _similarity(child, parent, cw, pw, NEAR_COPY_SIMILARITY)
    if score >= NEAR_COPY_SIMILARITY:
        return NearCopy("alike", score)
    if not cw or not pw:
        return None
    sc, sp = set(cw), set(pw)
    shared = len(sc & sp)
    jaccard = shared / len(sc | sp)
    if shared >= OVERLAP_MIN_SHARED and jaccard >= OVERLAP_MIN_JACCARD:
        return NearCopy("overlap", jaccard)
    return None
