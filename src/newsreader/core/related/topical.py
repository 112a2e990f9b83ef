"""Topical neighbours: pick a story's distinctive words, then ask the search index (pure helpers)."""

from __future__ import annotations

import math

from newsreader.core.related.keys import STOPWORDS, words

MAX_TERMS = 8
CANDIDATE_WORDS = 80
"""Words considered: the title and the start of the text, where a story says what it is about."""


def candidate_terms(title: str, text: str) -> list[str]:
    """Words of the title and lead that could be distinctive, most frequent in the story first."""
    counts: dict[str, float] = {}
    for weight, source in ((3.0, words(title)), (1.0, words(text)[:CANDIDATE_WORDS])):
        for word in source:
            if len(word) > 2 and word not in STOPWORDS and not word.isdigit():
                counts[word] = counts.get(word, 0.0) + weight
    return sorted(counts, key=lambda w: -counts[w])[:40]


def distinctive_terms(title: str, text: str, document_frequency: dict[str, int], total: int) -> list[str]:
    """The words that best tell this story apart: frequent in it, rare in the library (TF-IDF).

    Words found in no other story cannot connect it to anything and are left out.
    """
    counts: dict[str, float] = {}
    for weight, source in ((3.0, words(title)), (1.0, words(text)[:CANDIDATE_WORDS])):
        for word in source:
            counts[word] = counts.get(word, 0.0) + weight
    scored = []
    for term, df in document_frequency.items():
        if df < 2 or df > max(5, total * 0.2):  # in no other story, or in a fifth of them: no signal
            continue
        scored.append((counts.get(term, 0.0) * math.log(total / df), term))
    scored.sort(reverse=True)
    return [term for _, term in scored[:MAX_TERMS]]


def or_query(terms: list[str]) -> str:
    """An FTS5 query matching any of *terms*."""
    return " OR ".join(f'"{t}"' for t in terms)


MIN_SHARED_TERMS = 2
"""A topical neighbour shares at least this many of the story's distinctive words: one shared word
(a name that recurs, a word like "item") is a coincidence more often than a topic."""


def shared_terms(terms: list[str], title: str, text: str) -> tuple[list[str], list[str]]:
    """Which of *terms* (a story's distinctive words, best first) another story has: (in its title,
    in its title or text)."""
    in_title = set(words(title))
    present = in_title | set(words(text)[:400])
    return [t for t in terms if t in in_title], [t for t in terms if t in present]


def is_close(terms: list[str], title: str, text: str) -> bool:
    """Whether a candidate is truly on the story's topic: it shares :data:`MIN_SHARED_TERMS` of its
    distinctive words, at least one of them in its headline."""
    headline, anywhere = shared_terms(terms, title, text)
    return len(anywhere) >= MIN_SHARED_TERMS and bool(headline)


def _listed(words_: list[str]) -> str:
    quoted = [f"“{w}”" for w in words_]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " and " + quoted[-1]


def shared_terms_reason(terms: list[str], title: str, text: str) -> str:
    """Why a neighbour is shown, in words a reader understands: the uncommon words both stories use,
    those of its headline first."""
    headline, anywhere = shared_terms(terms, title, text)
    if not anywhere:
        return "On a related topic."
    others = [t for t in anywhere if t not in headline]
    if headline and others:
        return f"Its headline also mentions {_listed(headline[:3])}, and it too speaks of {_listed(others[:2])}."
    if headline:
        return f"Its headline also mentions {_listed(headline[:4])}."
    return f"Both stories speak of {_listed(anywhere[:4])}, words few other stories use."
