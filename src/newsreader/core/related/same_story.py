"""Deciding that two stories from different feeds report the same event, and saying why (pure).

Signals, strongest first: the same canonical link; the same headline (case, accents and
punctuation aside) within a few days; or the same event in other words — within two days, in the
same language, the headline and lead say the same things once words are reduced to one form per
meaning (``terms.analyse``: stems, numbers as values, synonyms as concepts). Shared names alone
never group two stories ("Northwind Air adds routes to Lisbon" and "Northwind pilots vote on
strike" stay apart): at least two shared terms must be something other than a name.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from itertools import islice

from newsreader.core.related.terms import Terms, analyse, weight

SAME_TITLE_DAYS = 3
"""The same headline this many days apart still counts as the same story."""
WINDOW_DAYS = 2
"""Stories further apart than this are never grouped on what they say."""
THRESHOLD = 0.42
"""Scores at or above this group two stories (chosen on the labelled pairs; docs/benchmarks.md)."""
MIN_EVENT_TERMS = 2
"""Shared terms other than names needed before a score counts."""
LEAD_WORDS = 60
"""How much of a story's text is its lead."""
KEY_TERMS = 12
"""A story's most telling terms index it for candidates (``key_terms``)."""
MIN_SHARED_KEYS = 2
"""Candidates share at least this many key terms (one shared name is not enough to look further)."""
MIN_TITLE_COVER = 0.15
"""Below this headline coverage (how much of each headline the other story says, on average) two
stories are different items whatever their texts share."""


def day_number(published: str | datetime) -> int:
    """Days since 1970 for a stored (``YYYY-MM-DD…``) or aware timestamp."""
    day = published.date() if isinstance(published, datetime) else date.fromisoformat(published[:10])
    return day.toordinal() - 719163


LEAD_CHARS = 600
"""Enough of a story's text for its lead's first :data:`LEAD_WORDS` words."""
_CACHE_SIZE = 50_000
_grouping_cache: dict[tuple[str, str], Terms] = {}
"""The writer's: terms without their words (``Terms.surface``), ~4 KB a story rather than ~6."""
_READING_CACHE_SIZE = 5_000
_reading_cache: dict[tuple[str, str], Terms] = {}
"""For reasons shown to the reader (related stories): terms with their words."""


def lead_of(text: str) -> str:
    """A story's lead as its terms are taken from: the first :data:`LEAD_WORDS` words of the first
    :data:`LEAD_CHARS` characters of its plain text (SQLite's ``substr(body_text, 1, 600)``)."""
    return " ".join(text[:LEAD_CHARS].split()[:LEAD_WORDS])


def analyse_story(title: str, text: str) -> Terms:
    """The terms of a story from its headline and whole plain *text*, without their words (uncached:
    for a parser process, whose results the writer keeps with :func:`remember`)."""
    return analyse(title, lead_of(text), lead_words=LEAD_WORDS, surface=False)


def grouping_terms(title: str, text: str) -> Terms:
    """The terms of a stored story for grouping: its headline and the start of its text, without the
    words behind them (cached: the writer compares each story with many others)."""
    found = _grouping_cache.get((title, text))
    if found is None:
        found = analyse(title, text, lead_words=LEAD_WORDS, surface=False)
        remember(title, text, found)
    return found


def story_terms(title: str, text: str) -> Terms:
    """The terms of a stored story with the words behind them, for reasons shown to the reader
    (cached: a group's members are worded each time it is shown)."""
    found = _reading_cache.get((title, text))
    if found is None:
        found = analyse(title, text, lead_words=LEAD_WORDS)
        _keep(_reading_cache, (title, text), found, _READING_CACHE_SIZE)
    return found


def trim_remembered(keep: int = 5_000) -> None:
    """Let go of all but the *keep* most recently remembered grouping terms: a first refresh of many
    feeds fills the cache with a hundred MiB and more that a reader's next look-ups do not need. The
    per-story weight sums go too: their cache holds the stories' term sets (~30 MiB after a first
    refresh of 1,000 feeds, ``tracemalloc``) and refills from the next comparisons."""
    for key in list(islice(_grouping_cache, max(0, len(_grouping_cache) - keep))):
        _grouping_cache.pop(key, None)
    _content_sum.cache_clear()


def remember(title: str, text: str, terms: Terms) -> None:
    """Keep *terms*, analysed elsewhere (a parser process), as :func:`grouping_terms` of *title* and
    *text*; the oldest half of the cache goes when it is full."""
    _keep(_grouping_cache, (title, text), terms, _CACHE_SIZE)


def _keep(cache: dict[tuple[str, str], Terms], key: tuple[str, str], terms: Terms, size: int) -> None:
    if len(cache) >= size:
        for old in list(islice(cache, size // 2)):
            cache.pop(old, None)
    cache[key] = terms


def key_terms(terms: Terms) -> list[str]:
    """The story's most telling terms (headline first, then lead, heavier first).

    Two reports of one event share at least :data:`MIN_SHARED_KEYS` of them even when their headlines
    share one word (on the labelled pairs: 30 of 32 do); names count here (they find candidates), the
    decision in :func:`compare` discounts them."""
    names, title = terms.names, terms.title
    ranked = sorted(
        terms.text,
        key=lambda t: (t not in title, -(1.0 if t in names and t[0] not in "#$^" else _content_weight(t)), t),
    )
    return [t for t in ranked if not t.startswith("$")][:KEY_TERMS]


def title_pair_rows(
    story_id: int, feed_id: int, title: str, published: str, text: str = ""
) -> list[tuple[str, int, int, int]]:
    """Rows of the ``title_pairs`` index for one story (its key terms, on its day)."""
    day = day_number(published)
    return [(term, day, story_id, feed_id) for term in key_terms(grouping_terms(title, text))]


@dataclass(frozen=True, slots=True)
class Match:
    """How two stories compare: a 0–1 score and the telling words they share (most telling first)."""

    score: float
    shared: tuple[str, ...]
    """What both say (other than names), most telling first, as "word" or "word/other story's word";
    empty when the two are not the same story."""
    names: tuple[str, ...] = ()
    """The names both mention (empty when the two are not the same story)."""

    @property
    def same(self) -> bool:
        """Whether the score groups the two stories."""
        return self.score >= THRESHOLD


def _weight_sum(terms: Iterable[str], names: frozenset[str]) -> float:
    return sum(1.0 if term in names and term[0] not in "#$^" else _content_weight(term) for term in terms)


def _whole_sum(terms: frozenset[str], names: frozenset[str]) -> float:
    """``_weight_sum`` of a story's own headline or text terms: their content weights are summed once
    per story (``_content_sum``) and only the few names among them are weighed again, for each pair
    the writer compares."""
    total = _content_sum(terms)
    for term in names & terms:
        if term[0] not in "#$^":
            total += 1.0 - _content_weight(term)
    return total


@lru_cache(maxsize=20_000)
def _content_sum(terms: frozenset[str]) -> float:
    return sum(map(_content_weight, terms))


@lru_cache(maxsize=100_000)
def _content_weight(term: str) -> float:
    """``terms.weight`` of a term that is not a name (it depends on the term alone then)."""
    return weight(term, frozenset())


CONFLICT_FACTOR = 0.35
"""A score is multiplied by this for each contradiction between the two headlines."""


SUBJECT_FACTOR = 0.7
"""…and by this when one headline's subject is missing from the other story."""


def _subject_missing(a: Terms, b: Terms) -> bool:
    return bool((a.subject and a.subject not in b.text) or (b.subject and b.subject not in a.text))


def _conflicts(a: Terms, b: Terms) -> int:
    """How many ways the two headlines contradict each other: they are about different subjects
    (each headline's first name is missing from the other story), or each gives an amount the
    other story never gives, or both count one thing with different numbers."""
    conflicts = 0
    if a.subject and b.subject and a.subject not in b.text and b.subject not in a.text:
        conflicts += 1
    a_numbers = {t for t in a.title if t.startswith("#")}
    b_numbers = {t for t in b.title if t.startswith("#")}
    amounts_differ = a_numbers - b.text and b_numbers - a.text and not (a_numbers & b_numbers)
    if amounts_differ or _counted_differently(a.quantities, b.quantities):
        conflicts += 1
    return conflicts


def _only_the_opening_shared(a: Terms, b: Terms, names: frozenset[str]) -> bool:
    """Whether both headlines open with one label (a series, column or topic: "4FSOD: …",
    "Taverncast VIP: …", "Red Dead Redemption 2: …") and the rest of each is barely mentioned by
    the other story."""
    if not a.title_label or a.title_label != b.title_label:
        return False
    label = set(a.title_label)
    cover = []
    for one, other in ((a, b), (b, a)):
        rest = one.title - label
        if not rest:
            return False  # a headline that is all label: nothing else to compare
        cover.append(_weight_sum(rest & other.text, names) / _weight_sum(rest, names))
    return sum(cover) / 2 < MIN_TITLE_COVER


def _counted_differently(a: frozenset[tuple[str, str]], b: frozenset[tuple[str, str]]) -> bool:
    """Whether the two headlines count one thing with different numbers ("13-inch" / "16-inch",
    "sells 1,500 shares" / "sells 99,342 shares"), even when each lead mentions the other's."""
    if not a or not b:
        return False
    counts_a: dict[str, set[str]] = {}
    for thing, number in a:
        counts_a.setdefault(thing, set()).add(number)
    counts_b: dict[str, set[str]] = {}
    for thing, number in b:
        counts_b.setdefault(thing, set()).add(number)
    return any(
        thing in counts_b and numbers - counts_b[thing] and counts_b[thing] - numbers
        for thing, numbers in counts_a.items()
    )


def compare(a: Terms, b: Terms) -> Match:
    """Score two stories' terms: how much of what each headline says the other story says, and how
    much their headlines-with-leads overlap, reduced for each contradiction (``_conflicts``); 0 when
    they share no term besides names, or fewer than :data:`MIN_EVENT_TERMS` terms, or are in
    different languages."""
    if a.language and b.language and a.language != b.language:
        return Match(0.0, ())
    names = a.names | b.names
    shared = a.text & b.text
    event = [t for t in shared if t not in names and not t.startswith("$")]
    if not event or len(shared) < MIN_EVENT_TERMS:
        return Match(0.0, ())
    w_a, w_b = _whole_sum(a.text, names), _whole_sum(b.text, names)
    text_score = _weight_sum(shared, names) / math.sqrt(w_a * w_b) if w_a and w_b else 0.0
    cover = []
    for one, other in ((a, b), (b, a)):
        title_weight = _whole_sum(one.title, names)
        if title_weight:
            cover.append(_weight_sum(one.title & other.text, names) / title_weight)
    title_score = sum(cover) / len(cover) if cover else 0.0
    if cover and (title_score < MIN_TITLE_COVER or _only_the_opening_shared(a, b, names)):
        # what the headlines say decides: stories whose headlines the other barely mentions are
        # different items however alike their texts (one template's products, a shared boilerplate)
        return Match(0.0, ())
    score = max(text_score, title_score) * CONFLICT_FACTOR ** _conflicts(a, b)
    if _subject_missing(a, b):
        score *= SUBJECT_FACTOR
    score = round(min(1.0, score), 3)
    if score < THRESHOLD:
        return Match(score, ())  # the words are for reasons, which only a grouping needs
    ordered = sorted(shared, key=lambda t: (-weight(t, names), t))
    words = _words([t for t in ordered if t not in names], a, b)
    named = _words([t for t in ordered if t in names and not t.startswith("^")], a, b)
    return Match(score, tuple(words), tuple(named))


def _words(terms: list[str], a: Terms, b: Terms) -> list[str]:
    """The words behind *terms*, as each story writes them ("$40m/40000000", "fines/penalty")."""
    words: list[str] = []
    for term in terms:
        if term.startswith("$"):
            continue
        word = a.surface.get(term) or b.surface.get(term) or term
        other = b.surface.get(term)
        if other and other.lower() != word.lower() and term[0] in "~#^":
            word = f"{word}/{other}"
        if word.lower() not in (w.lower() for w in words):
            words.append(word)
    return words


def similarity(title_a: str, lead_a: str, title_b: str, lead_b: str) -> float:
    """0–1: how likely two stories report the same event, from their headlines and leads."""
    return compare(story_terms(title_a, lead_a), story_terms(title_b, lead_b)).score


def same_story_reason(kind: str, match: Match | None = None) -> str:
    """Words for why stories were grouped: the same link, the same headline, or the same event —
    with the telling words both say when *match* (a direct comparison) is given, else grouped
    through another story of the group."""
    if kind == "words" and match is not None and match.shared:
        quoted = ", ".join(f"“{w}”" for w in match.shared[:4])
        named = " and ".join(f"“{w}”" for w in match.names[:2])
        return f"Another feed's report of the same event: both say {quoted}" + (f" about {named}." if named else ".")
    return {
        "link": "The same article, linked from another feed.",
        "title": "The same headline in another feed.",
        "words": "Another feed's report of the same event, grouped through another report both resemble.",
    }[kind]
