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


def shared_terms_reason(terms: list[str], title: str, text: str) -> str:
    """Why a neighbour is shown: the distinctive words it shares."""
    present = set(words(title)) | set(words(text)[:400])
    shared = [t for t in terms if t in present][:4]
    if not shared:
        return "On a related topic."
    return "Also about " + ", ".join(f"“{t}”" for t in shared) + "."
