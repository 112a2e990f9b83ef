"""Is a feed item paid content? A pure function of the item's facts, the rules and the feed's own rules.

Only markers that publishers use to *label* paid content count: a label in front of or behind the
title (also a giveaway label, a publisher's own paid event, "(Brought to you by X)"), a category or
author that is such a label, a link into an ad server (the rules' hosts, an ad-server host name, or
the ad-blocking filter lists' network rules), under a sponsored path (``/sponsored/``) or tagged as
a paid campaign (``utm_medium=sponsored``), an item whose links are nearly all
``rel="sponsored"``, and the body's own disclosure: a caption that opens
it ("Sponsored by X", "Anzeige", "I samarbete med X", "【PR】", "My thanks to X for sponsoring the
blog") or a sentence about the item itself ("This post is sponsored by X", "Dieser Beitrag entstand
in Kooperation mit X"). Sponsor reads inside an episode or a newsletter issue, affiliate footers and
news about advertising say none of these, so they are not flagged.
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from urllib.parse import parse_qsl, urlsplit

from newsreader.core.classify.rules import Rules, category_key
from newsreader.core.errors import SettingsError
from newsreader.core.models import Enclosure, ParsedEntry, Verdict

NOT_SPONSORED = Verdict(False, None)


@dataclass(frozen=True)
class StoryFacts:
    """What the classifier looks at."""

    title: str
    link: str | None
    author: str | None
    categories: tuple[str, ...]
    link_count: int = 0
    sponsored_link_count: int = 0
    text: str = ""
    """The body as plain text (for the body's own disclosure)."""
    episode: bool = False
    """The item carries audio or video (a podcast episode): its notes' sponsor reads do not count."""


@dataclass(frozen=True)
class FeedRules:
    """A feed's own conventions, set by the user: never flag it, or extra title/category markers."""

    never: bool = False
    title_patterns: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    _compiled: tuple[re.Pattern[str], ...] = field(default=(), repr=False, compare=False)

    @staticmethod
    def build(never: bool = False, title_patterns: Sequence[str] = (), categories: Sequence[str] = ()) -> FeedRules:
        """Validate and compile; raises :class:`SettingsError` for a bad regular expression."""
        try:
            compiled = tuple(re.compile(p, re.IGNORECASE) for p in title_patterns)
        except re.error as exc:
            raise SettingsError(f"A sponsored title pattern is not a valid regular expression ({exc}).") from exc
        return FeedRules(never, tuple(title_patterns), tuple(c.strip().lower() for c in categories), compiled)

    def to_json(self) -> str | None:
        """Stored form (None when there is nothing to store)."""
        if not self.title_patterns and not self.categories:
            return None
        return json.dumps({"title_patterns": list(self.title_patterns), "categories": list(self.categories)})

    @staticmethod
    def from_json(never: bool, text: str | None) -> FeedRules:
        """Inverse of :meth:`to_json`."""
        data = json.loads(text) if text else {}
        return FeedRules.build(never, data.get("title_patterns", ()), data.get("categories", ()))


def is_episode(enclosures: Sequence[Enclosure]) -> bool:
    """Whether an item with these enclosures is an audio or video episode."""
    return any(
        (e.type or "").lower().startswith(("audio/", "video/"))
        or urlsplit(e.url).path.lower().endswith((".mp3", ".m4a", ".aac", ".ogg", ".opus", ".mp4", ".m4v"))
        for e in enclosures
    )


def facts_of(entry: ParsedEntry, link: str | None = None) -> StoryFacts:
    """What the classifier needs from a parsed entry (*link* in place of the entry's own when it has
    none)."""
    return StoryFacts(
        entry.title,
        entry.link or link,
        entry.author,
        entry.categories,
        entry.link_count,
        entry.sponsored_link_count,
        entry.text,
        is_episode(entry.enclosures),
    )


def _host_matches(host: str, domains: Sequence[str]) -> str | None:
    for domain in domains:
        if host == domain or host.endswith("." + domain):
            return domain
    return None


OPENING_CHARS = 240
"""The opening of a body that a disclosure caption must stand in (it may start in its first quarter)."""


def classify(
    facts: StoryFacts,
    rules: Rules,
    feed: FeedRules | None = None,
    link_blocked: Callable[[str], bool] | None = None,
) -> Verdict:
    """Decide whether the item is sponsored and say why.

    *link_blocked* answers whether a URL matches a network rule of the ad-blocking filter lists
    (``PageFilters.blocks``); without it only the rules' own ad hosts are consulted.
    """
    feed = feed or FeedRules()
    if feed.never:
        return NOT_SPONSORED
    title = facts.title.strip()
    for pattern in feed._compiled:
        if pattern.search(title):
            return Verdict(True, f"The title matches this feed's sponsored pattern “{pattern.pattern}”.")
    match = rules.title_prefix.search(title) or rules.title_suffix.search(title)
    if match:
        label = next(g for g in match.groups() if g)
        return Verdict(True, f"The title is labelled “{label.strip()}”.")
    verdict = _title_signals(title, facts.link, rules)
    if verdict is not None:
        return verdict
    tag = _hashtag(title, rules)
    if tag:
        return Verdict(True, f"The title carries the disclosure hashtag “{tag}”.")
    for category in facts.categories:
        folded = category.strip().lower()
        if folded in feed.categories:
            return Verdict(True, f"Its category “{category}” marks sponsored items in this feed.")
        key = category_key(category)
        if key in rules.category_labels:
            return Verdict(True, f"Its category is “{category}”.")
    if facts.author:
        for pattern in rules.author_patterns:
            if pattern.fullmatch(facts.author.strip()):
                return Verdict(True, f"Its author is “{facts.author.strip()}”.")
    if facts.link:
        try:
            parts = urlsplit(facts.link)
        except ValueError:
            parts = None
        if parts is not None and parts.hostname:
            host = parts.hostname.lower()
            domain = _host_matches(host, rules.ad_domains)
            if domain:
                return Verdict(True, f"Its link goes to the ad network {domain}.")
            where = (host + parts.path).lower()
            for path in rules.ad_link_paths:
                if where.startswith(path):
                    return Verdict(True, f"Its link is an ad placement ({path}…).")
            label = next((lab for lab in host.split(".")[:-1] if lab in rules.ad_host_labels), None)
            if label is not None:
                return Verdict(True, f"Its link goes to an ad server ({host}).")
            segment = next((seg for seg in parts.path.lower().split("/") if seg in rules.sponsored_path_segments), None)
            if segment is not None:
                return Verdict(True, f"Its link is in the site's sponsored section (/{segment}/).")
            medium = _paid_medium(parts.query, rules.paid_utm_media)
            if medium is not None:
                return Verdict(True, f"Its link is tagged as a paid campaign (utm_medium={medium}).")
            if link_blocked is not None and link_blocked(facts.link):
                return Verdict(True, f"Its link goes to an ad server the filter lists block ({host}).")
    if facts.link_count >= rules.rel_min_links and facts.sponsored_link_count / facts.link_count >= rules.rel_min_share:
        return Verdict(
            True,
            f'{facts.sponsored_link_count} of its {facts.link_count} links are marked as paid (rel="sponsored").',
        )
    if facts.episode:
        return NOT_SPONSORED  # a sponsor read in an episode's notes does not make the episode an ad
    tag = _hashtag(facts.text[:OPENING_CHARS], rules) or _hashtag(facts.text[-OPENING_CHARS:], rules, opening=False)
    if tag:
        return Verdict(True, f"Its text carries the disclosure hashtag “{tag}”.")
    return _body_disclosure(facts.text, rules)


_OPEN = "([【（"
_CLOSE = ")]】）.,!;"
_DELIMITERS = frozenset("|–—:-")


def _hashtag(text: str, rules: Rules, *, opening: bool = True) -> str | None:
    """A disclosure hashtag that opens *text* ("#ad My setup", "[#Werbung] …") or stands in the
    hashtags that end it ("… #ad #tech", "… | #ad", "… (#sponsored)"): not one inside a sentence,
    as news about disclosure rules writes it ("creators must add #ad to posts"). Without *opening*,
    *text* is the end of a longer one and its first word opens nothing."""
    if not rules.disclosure_hashtags or "#" not in text:
        return None
    words = text.split()
    first = words[0].lstrip(_OPEN)
    if opening and _disclosing(first, rules):
        return first.rstrip(_CLOSE)
    run = 0
    while run < len(words) and words[len(words) - 1 - run].lstrip(_OPEN).startswith("#"):
        run += 1
    closing = words[len(words) - run :]
    found = next((w.lstrip(_OPEN).rstrip(_CLOSE) for w in closing if _disclosing(w.lstrip(_OPEN), rules)), None)
    if found is None:
        return None
    before = words[len(words) - run - 1] if run < len(words) else ""
    alone = run == 1 and not closing[0].startswith(tuple(_OPEN)) and before not in _DELIMITERS
    return None if alone else found


def _disclosing(word: str, rules: Rules) -> bool:
    return word.startswith("#") and word[1:].rstrip(_CLOSE).casefold() in rules.disclosure_hashtags


def _paid_medium(query: str, paid: frozenset[str]) -> str | None:
    if "utm_medium=" not in query.lower():
        return None
    try:
        pairs = parse_qsl(query, keep_blank_values=True)
    except ValueError:
        return None
    return next((value for name, value in pairs if name.lower() == "utm_medium" and value.lower() in paid), None)


def _title_signals(title: str, link: str | None, rules: Rules) -> Verdict | None:
    if rules.giveaway_prefix is not None:
        match = rules.giveaway_prefix.search(title)
        if match:
            return Verdict(True, f"The title announces a giveaway (“{(match['b'] or match['p']).strip()}”).")
    if rules.title_phrase is not None:
        match = rules.title_phrase.search(title)
        if match:
            return Verdict(True, f"The title says “{_clip(match.group(0).strip(' |–—-()[]（）【】'))}”.")
    if rules.house_ad_prefix is not None:
        match = rules.house_ad_prefix.search(title)
        if match:
            return Verdict(
                True, f"The title offers the publisher's own paid event (“{_clip(match.group(0).strip())}”)."
            )
    if rules.house_ad_title is not None:
        match = rules.house_ad_title.search(title)
        if match:
            return Verdict(True, f"The title sells advertising on the feed itself (“{_clip(match.group(0).strip())}”).")
    if rules.house_offer_prefix is not None and link:
        match = rules.house_offer_prefix.search(title)
        host = (urlsplit(link).hostname or "").lower() if "://" in link else ""
        if match and match["brand"].lower() in host.split("."):
            return Verdict(True, f"The title is labelled as the publisher's own offer (“{match.group(0).strip()}”).")
    return None


MAX_TRIGGER_HITS = 24
"""At most this many trigger words are looked at (a body about advertising repeats them)."""
WINDOW = 120
"""Characters searched on each side of a trigger word: a disclosure sentence is shorter."""
_CAPTION_ENDS = frozenset(':|–—-)]】»”"')
_SENTENCE_END = re.compile(r"[.!?。！？]")


def _body_disclosure(text: str, rules: Rules) -> Verdict:
    if not text:
        return NOT_SPONSORED
    # every disclosure holds one of the trigger words: find them with str.find (faster than one
    # regular expression of them all), then run the regular expressions only around them, so a long
    # body costs little (lower() rarely changes a length, and the windows absorb such a shift)
    folded = text.lower()
    hits = sorted(
        itertools.islice(
            (i for word in _triggers_for(folded, rules.disclosure_triggers) for i in _positions(folded, word)),
            MAX_TRIGGER_HITS,
        )
    )
    if not hits:
        return NOT_SPONSORED
    if rules.opening_disclosure is not None and hits[0] < OPENING_CHARS:
        # the caption opens the body: nothing before it but a short label ending in a delimiter
        match = rules.opening_disclosure.search(text[:OPENING_CHARS])
        if match:
            before = text[: match.start()].strip()
            if not before or (len(before) <= 40 and before[-1] in _CAPTION_ENDS and not _SENTENCE_END.search(before)):
                return Verdict(True, f"Its text opens with the disclosure “{_sentence(text, match)}”.")
    if rules.disclosure is not None:
        for i in hits:
            match = rules.disclosure.search(text, max(0, i - WINDOW), i + WINDOW)
            if match:
                return Verdict(True, f"Its text says “{_sentence(text, match)}”.")
    return NOT_SPONSORED


def _triggers_for(folded: str, triggers: tuple[str, ...]) -> Iterator[str]:
    """The trigger words found in *folded*. Only those its characters can spell are looked for: a
    body in ASCII or without any of the Cyrillic, Greek, Chinese, Japanese or Korean letters of the
    other words skips those (most bodies; the scans took a tenth of a cold refresh's parsing CPU)."""
    in_ascii, in_latin, letters = _trigger_tiers(triggers)
    if folded.isascii():
        words = in_ascii
    elif letters is None or letters.search(folded) is None:
        words = in_latin
    else:
        words = triggers
    return (word for word in words if word in folded)


@lru_cache(maxsize=8)
def _trigger_tiers(triggers: tuple[str, ...]) -> tuple[tuple[str, ...], tuple[str, ...], re.Pattern[str] | None]:
    """*triggers* that ASCII text can hold, those that text in the Latin alphabets (to U+024F) can,
    and a pattern of the letters beyond them that the others are written with."""
    beyond = {c for w in triggers for c in w if c > "\u024f"}
    letters = re.compile("[" + "".join(re.escape(c) for c in sorted(beyond)) + "]") if beyond else None
    in_latin = tuple(w for w in triggers if max(w) <= "\u024f")
    return tuple(w for w in triggers if w.isascii()), in_latin, letters


def _positions(folded: str, word: str) -> Iterator[int]:
    i = folded.find(word)
    while i >= 0:
        yield i
        i = folded.find(word, i + len(word))


def _sentence(text: str, match: re.Match[str]) -> str:
    """The matched disclosure up to the end of its clause, for the reason."""
    end = _SENTENCE_END.search(text, match.end(), match.start() + 80)
    return _clip(text[match.start() : end.start() if end else match.start() + 80].strip())


def _clip(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
