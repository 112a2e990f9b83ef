"""Loading and validating sponsored rules (JSON): the shipped defaults plus the user's additions."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from newsreader.core.errors import SettingsError
from newsreader.core.package_data import read_text

USER_RULES_NAME = "sponsored-rules.json"


@dataclass(frozen=True)
class Rules:
    """Compiled rules. Labels match a whole title prefix/suffix or a whole category, ignoring case."""

    title_labels: tuple[str, ...]
    category_labels: frozenset[str]
    author_patterns: tuple[re.Pattern[str], ...]
    ad_domains: tuple[str, ...]
    ad_link_paths: tuple[str, ...]
    rel_min_links: int
    rel_min_share: float
    title_prefix: re.Pattern[str]
    title_suffix: re.Pattern[str]
    giveaway_prefix: re.Pattern[str] | None = None
    house_ad_prefix: re.Pattern[str] | None = None
    house_offer_prefix: re.Pattern[str] | None = None
    title_phrase: re.Pattern[str] | None = None
    ad_host_labels: frozenset[str] = frozenset()
    sponsored_path_segments: frozenset[str] = frozenset()
    opening_disclosure: re.Pattern[str] | None = None
    disclosure: re.Pattern[str] | None = None
    house_ad_title: re.Pattern[str] | None = None
    disclosure_hashtags: frozenset[str] = frozenset()
    """Hashtags that disclose paid content ("ad", "werbung"; case-folded, without "#")."""
    paid_utm_media: frozenset[str] = frozenset()
    """``utm_medium`` values that tag a link as a paid campaign (``sponsored``, ``native``, ``cpc``)."""
    disclosure_triggers: tuple[str, ...] = ()
    """Lower-case words one of which every body disclosure contains; a body without any is not
    searched further."""


_CATEGORY_SEPARATORS = re.compile(r"[\s_/-]+")


def category_key(category: str) -> str:
    """A category as labels are compared: lower case, words split at spaces, "-", "_" and "/"
    ("Sponsored-Content", "sponsored_content" → "sponsored content")."""
    return " ".join(_CATEGORY_SEPARATORS.split(category.strip().lower())).strip()


def _strings(data: dict[str, Any], key: str, source: str) -> list[str]:
    value = data.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise SettingsError(f"{source}: {key!r} must be a list of strings.")
    return value


def _alternatives(words: list[str]) -> str:
    return "|".join(
        re.escape(w) for w in sorted({w.strip().lower() for w in words if w.strip()}, key=len, reverse=True)
    )


def _regex_union(patterns: list[str], source: str, key: str) -> re.Pattern[str] | None:
    if not patterns:
        return None
    try:
        return re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE)
    except re.error as exc:
        raise SettingsError(f"{source}: a pattern in {key!r} is not a valid regular expression ({exc}).") from exc


def _compile(data: dict[str, Any], source: str) -> Rules:
    labels = [label.strip().lower() for label in _strings(data, "title_labels", source) if label.strip()]
    alternatives = "|".join(re.escape(label) for label in sorted(set(labels), key=len, reverse=True))
    try:
        authors = tuple(re.compile(pattern, re.IGNORECASE) for pattern in _strings(data, "author_patterns", source))
    except re.error as exc:
        raise SettingsError(f"{source}: an author pattern is not a valid regular expression ({exc}).") from exc
    rel = data.get("rel_sponsored", {})
    if not isinstance(rel, dict):
        raise SettingsError(f"{source}: 'rel_sponsored' must be an object.")
    return Rules(
        title_labels=tuple(labels),
        category_labels=frozenset(category_key(c) for c in _strings(data, "category_labels", source)),
        author_patterns=authors,
        ad_domains=tuple(d.strip().lower().lstrip(".") for d in _strings(data, "ad_domains", source)),
        ad_link_paths=tuple(p.strip().lower() for p in _strings(data, "ad_link_paths", source)),
        rel_min_links=int(rel.get("min_links", 3)),
        rel_min_share=float(rel.get("min_share", 0.8)),
        # "Sponsored: …", "[Sponsor] …", "(Ad) …", "ANZEIGE | …": a label, then a delimiter
        title_prefix=re.compile(
            rf"^\s*(?:[\[(【（]\s*(?P<b>{alternatives})\s*[\])】）]\s*[:：|–—-]?|(?P<p>{alternatives})\s*[:：|–—]|"
            rf"(?P<d>{alternatives})\s+-\s)",
            re.IGNORECASE,
        ),
        # "… (Sponsored)", "… [Sponsor]", "… | Advertorial", "… - Paid Post"
        title_suffix=re.compile(
            rf"(?:[\[(【（]\s*(?P<b>{alternatives})\s*[\])】）]|\s[|–—-]\s*(?P<p>{alternatives}))\s*$",
            re.IGNORECASE,
        ),
        **_extra(data, source),
    )


def _extra(data: dict[str, Any], source: str) -> dict[str, Any]:
    """The signals added for real feeds (issue #11): giveaways, house ads, phrases, hosts, body text."""
    extra: dict[str, Any] = {}
    giveaways = _alternatives(_strings(data, "giveaway_labels", source))
    if giveaways:
        # "CONTEST: Win tickets …", "[Giveaway] …", "Gewinnspiel – …"
        extra["giveaway_prefix"] = re.compile(
            rf"^\s*(?:[\[(【]\s*(?P<b>{giveaways})\s*[\])】]|(?P<p>{giveaways})\s*[:|–—!])", re.IGNORECASE
        )
    house = _alternatives(_strings(data, "house_ad_words", source))
    if house:
        # "iX-Workshop zu …", "Webinar: …": a publisher's own paid event, named at the start
        extra["house_ad_prefix"] = re.compile(
            rf"^\s*(?:(?P<brand>[\w'.+]{{1,20}})-(?P<c>{house})\b|(?P<p>{house})\s*[:|–—])", re.IGNORECASE
        )
    offers = _alternatives(_strings(data, "house_offer_words", source))
    if offers:
        # "heise-Angebot: …": only when the brand is the host the item links to (checked by the classifier)
        extra["house_offer_prefix"] = re.compile(
            rf"^\s*(?P<brand>[\w.+]{{2,30}})[- ](?P<c>{offers})\s*[:|–—]", re.IGNORECASE
        )
    phrases = _alternatives(_strings(data, "title_phrases", source))
    if phrases:
        # "… (Brought To You By X)", "… | Presented by X", "Sponsored by X: …"
        extra["title_phrase"] = re.compile(
            rf"(?:[\[(（【]\s*(?P<b>{phrases})\s+[^\])）】]{{1,80}}[\])）】]|(?:\s[|–—-]\s*|^\s*)(?P<p>{phrases})\s+\S.{{0,60}}?(?:[:|–—]|$))",
            re.IGNORECASE,
        )
    extra["ad_host_labels"] = frozenset(x.strip().lower() for x in _strings(data, "ad_host_labels", source))
    extra["sponsored_path_segments"] = frozenset(
        x.strip().lower() for x in _strings(data, "sponsored_path_segments", source)
    )
    extra["disclosure_hashtags"] = frozenset(
        x.strip().lstrip("#").casefold() for x in _strings(data, "disclosure_hashtags", source) if x.strip()
    )
    extra["paid_utm_media"] = frozenset(x.strip().lower() for x in _strings(data, "paid_utm_media", source))
    extra["disclosure_triggers"] = tuple(
        sorted({x.strip().lower() for x in _strings(data, "disclosure_triggers", source) if x.strip()})
    )
    for key, name in (
        ("opening_disclosures", "opening_disclosure"),
        ("disclosures", "disclosure"),
        ("house_ad_titles", "house_ad_title"),
    ):
        extra[name] = _regex_union(_strings(data, key, source), source, key)
    return extra


def _merge(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in extra.items():
        if isinstance(value, list) and isinstance(merged.get(key), list):
            merged[key] = [*merged[key], *value]
        else:
            merged[key] = value
    return merged


def default_rules_data() -> dict[str, Any]:
    """The shipped rule set as data."""
    text = read_text("newsreader.core.classify", "default_rules.json")
    data: dict[str, Any] = json.loads(text)
    return data


def load_rules(user_file: Path | None = None) -> Rules:
    """The default rules, extended by *user_file* when it exists; raises :class:`SettingsError`."""
    data = default_rules_data()
    if user_file is not None and user_file.exists():
        try:
            extra = json.loads(user_file.read_text("utf-8"))
        except (OSError, ValueError) as exc:
            raise SettingsError(f"The sponsored rules in {user_file} could not be read ({exc}).") from exc
        if not isinstance(extra, dict):
            raise SettingsError(f"The sponsored rules in {user_file} must be a JSON object.")
        data = _merge(data, extra)
    return _compile(data, str(user_file or "default_rules.json"))
