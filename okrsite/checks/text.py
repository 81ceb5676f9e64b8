"""Small text helpers for the rules: quoting content, activity words, similarity.

Pure functions; no model knowledge.
"""

from __future__ import annotations

import difflib
import re

QUOTE_LIMIT = 80

_WORD_RE = re.compile(r"[a-z0-9]+(?:['’][a-z]+)?")

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
    lowered = text.lower().replace("&", " & ").replace("+", " + ")
    out: list[str] = []
    for token in lowered.split():
        if token in ("&", "+"):
            out.append(token)
            continue
        out.extend(_WORD_RE.findall(token))
    return out


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
    wa, wb = content_words(a), content_words(b)
    if not wa or not wb:
        return 1.0 if " ".join(words(a)) == " ".join(words(b)) else 0.0
    sa, sb = set(wa), set(wb)
    jaccard = len(sa & sb) / len(sa | sb)
    matcher = difflib.SequenceMatcher(None, " ".join(wa), " ".join(wb), autojunk=False)
    # The quick ratios are upper bounds of ratio(): skip the costly one when
    # it cannot beat the Jaccard index.
    bar = max(jaccard, floor)
    if matcher.real_quick_ratio() < bar or matcher.quick_ratio() < bar:
        return jaccard
    return max(jaccard, matcher.ratio())
