"""Keys that identify the same story across feeds: a canonical link and a normalised title (pure)."""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

_TRACKING_PARAMS = re.compile(
    r"^(utm_\w+|fbclid|gclid|dclid|mc_cid|mc_eid|ref|ref_src|source|cmpid|ocid|ito|smid|sr_share|at_\w+|"
    r"icid|_ga|mkt_tok|ncid|partner|CMP|cid)$",
    re.IGNORECASE,
)
_WORD = re.compile(r"\w+", re.UNICODE)
STOPWORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "by",
        "for",
        "from",
        "has",
        "have",
        "he",
        "her",
        "his",
        "i",
        "in",
        "is",
        "it",
        "its",
        "of",
        "on",
        "or",
        "our",
        "she",
        "that",
        "the",
        "their",
        "them",
        "they",
        "this",
        "to",
        "was",
        "we",
        "were",
        "will",
        "with",
        "you",
        "your",
        "not",
        "but",
        "after",
        "over",
        "into",
        "about",
        "than",
        "then",
        "so",
        "what",
        "who",
        "how",
        "why",
        "when",
        "where",
        "which",
        "new",
        "says",
        "said",
        "out",
        "up",
        "more",
        "can",
        "could",
        "would",
        "should",
        "may",
        "just",
        "been",
        "also",
        "der",
        "die",
        "das",
        "und",
        "le",
        "la",
        "les",
        "des",
        "et",
        "el",
        "los",
        "las",
        "y",
        "il",
        "di",
        "che",
    ]
)


def canonical_link(link: str | None) -> str | None:
    """The link without scheme, ``www.``, tracking parameters, fragment or trailing slash."""
    if not link:
        return None
    try:
        parts = urlsplit(link.strip())
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    host = parts.hostname.lower().removeprefix("www.").removeprefix("m.")
    query = urlencode(sorted((k, v) for k, v in parse_qsl(parts.query) if not _TRACKING_PARAMS.match(k)))
    path = parts.path.rstrip("/") or "/"
    return urlunsplit(("", host, path, query, ""))[2:]


def fold(text: str) -> str:
    """Lower case without diacritics (as the search index's tokenizer folds)."""
    if text.isascii():
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def words(text: str) -> list[str]:
    """The folded words of *text*, in order."""
    return _WORD.findall(fold(text))


def title_key(title: str) -> str:
    """A title reduced to its words (no case, accents or punctuation): equal keys, the same headline."""
    return " ".join(words(title))


def content_words(text: str) -> set[str]:
    """The distinct words of *text* that carry meaning (no stop words, no one-letter tokens)."""
    return {w for w in words(text) if len(w) > 1 and w not in STOPWORDS and not w.isdigit()}
