"""What a story says, as terms that match across wordings (pure): the words of its headline and lead
in one form per meaning.

- the language, from its function words (``detect_language``);
- numbers as values: "$40m", "40 million dollars" and "forty million dollars" (number words read
  by ``text2num``) are all ``#4.0e7`` and ``$usd``; small integers stay exact (years, counts);
- words stemmed with the language's Snowball stemmer (``snowballstemmer``, fast with PyStemmer),
  stop words (the ``stop-words`` lists) dropped, accents folded after stemming;
- synonyms and paraphrases of the words news uses for events (``synonyms.json``: "fine",
  "penalty", "penalise" → one concept) mapped to one term;
- Chinese/Japanese/Korean runs, which have no spaces, as character pairs.

Each term remembers the word it came from (for reasons) and whether that word was written as a
name (capitalised inside a sentence, or all capitals): stories that share only names are not the
same story.
"""

from __future__ import annotations

import contextlib
import json
import math
import re
import unicodedata
from dataclasses import dataclass, field
from functools import cache, lru_cache
from typing import Any

from newsreader.core.package_data import read_text

LANGUAGES = {
    "en": "english",
    "de": "german",
    "fr": "french",
    "es": "spanish",
    "it": "italian",
    "nl": "dutch",
    "pt": "portuguese",
    "sv": "swedish",
    "da": "danish",
    "nb": "norwegian",
    "fi": "finnish",
    "ru": "russian",
    "tr": "turkish",
    "pl": "polish",
    "cs": "czech",
    "hu": "hungarian",
    "id": "indonesian",
    "ro": "romanian",
    "el": "greek",
}
"""Languages told apart, with their Snowball stemmer (None: no stemmer, words kept whole)."""

_NUMBER_WORD_LANGUAGES = frozenset({"en", "fr", "es", "pt", "de", "nl", "it", "da"})
"""Languages whose written-out numbers ``text2num`` reads."""

_NUMBER_WORD_STARTS = {
    "en": "zero|one|two|thr|thir|four|fort|fi[fv]|six|seven|eigh|nin|ten|eleven|twel|twent|hundred|thousand|"
    "million|billion|trillion|first|second|nought|oss?\\b",
    "fr": "z[ée]ro|une?|deux|trois|quat|cinq|six|sept|huit|neuf|dix|onze|douze|treize|quinz|seiz|vingt|trent|"
    "quarant|soixant|cent|mil|premi|second",
    "es": "cero|un|dos|tres|cuat|cuar|cinc|seis|sesent|siet|setent|och|nuev|novent|diez|dieci|once|doce|trece|"
    "cator|quin|veint|trein|cien|mil|primer|segund|tercer",
    "pt": "zero|um|dois|duas|tr[eê]s|trez|quat|quar|cinc|cinq|seis|sess|set|oit|nove|novent|dez|onze|doze|catorz|"
    "quinz|quint|vint|trint|cem|cent|duzent|quinhent|mil|bilh|primeir|segund|tercei|non\\b",
    "it": "zero|un|due|tre|quatt|quar|cinqu|sei|sess|sett|ott|nov|non|dieci|dici|undici|dodici|quindici|sedici|"
    "vent|trent|cento|mille|mila|milion|miliard|prim|second|terz|quint",
    "de": "null|ein|zwei|zwan|drei|dritt|vier|fünf|sech|sieb|acht|neun|zehn|elf|zwölf|hundert|tausend|million|"
    "milliard|billion|erst",
    "nl": "nul|een|één|twee|drie|der|vier|veer|vijf|zes|zeven|acht|tacht|negen|tien|elf|twaalf|twintig|honderd|"
    "duizend|miljoen|miljard|eerst",
}
"""How every word ``text2num`` reads as (part of) a number begins, by language (Danish, whose number
words include "en", "et" and "to", has none: its texts always go to ``text2num``). Compound numerals
begin with a number word too ("zweihundertfünfzig", "ventitré"). Found by giving ``alpha2digit``
each of the 50,000 words of the shared corpus's feeds and pages alone (tests/core/test_terms.py
checks it again); calling it only on texts with such a word saves a parser process ~2 s of a
1,000-feed refresh (it found no number word in nine texts of ten)."""


@cache
def _number_word_start(language: str) -> re.Pattern[str] | None:
    starts = _NUMBER_WORD_STARTS.get(language)
    return re.compile(r"(?<![^\W\d_])(?:" + starts + ")") if starts else None


def _may_write_numbers(text: str, language: str) -> bool:
    """Whether *text* may hold a number written out in words that ``text2num`` reads."""
    if language not in _NUMBER_WORD_LANGUAGES:
        return False
    start = _number_word_start(language)
    return start is None or start.search(text.lower()) is not None  # 3× faster than IGNORECASE


_WORD = re.compile(r"[^\W\d_](?:[\w'’-]*\w)?|[$€£¥]?\d[\d.,]*\d?%?", re.UNICODE)
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]+")
_NUMBER = re.compile(
    r"(?P<cur>[$€£¥])?\s?(?P<num>\d[\d.,]*\d|\d)\s?(?P<scale>[a-zA-Z]+\b)?\.?\s?(?P<unit>[a-zA-Z]+\b)?",
)


@dataclass(frozen=True, slots=True)
class Terms:
    """A story's terms: of the headline, and of the headline with the lead (its first words)."""

    language: str | None
    title: frozenset[str]
    text: frozenset[str]
    names: frozenset[str] = frozenset()
    """Terms written as names (proper nouns, acronyms)."""
    surface: dict[str, str] = field(default_factory=dict, compare=False, hash=False)
    """term → the word it came from, for reasons."""
    subject: str | None = None
    """The first name in the headline (whom or what the story is about), when it has one."""
    title_label: tuple[str, ...] = ()
    """The terms of a short label that opens the headline before a delimiter ("4FSOD: …",
    "Taverncast VIP: …", "Red Dead Redemption 2 – …"): the series, column or topic, not the story."""
    quantities: frozenset[tuple[str, str]] = frozenset()
    """The headline's counted things: (what is counted, its number term), as ("inch", "#13") for
    "13-Inch" or ("$usd", "#4.0e+07") for "$40m"; two headlines counting one thing differently
    report different events."""


@cache
def _data() -> dict[str, Any]:
    text = read_text("newsreader.core.related", "synonyms.json")
    data: dict[str, Any] = json.loads(text)
    return data


@cache
def _stemmer(language: str | None) -> Any:
    name = LANGUAGES.get(language or "")
    if not name:
        return None
    import snowballstemmer

    return snowballstemmer.stemmer(name)


@cache
def _stop_words(language: str | None) -> frozenset[str]:
    if not language:
        return frozenset()
    from stop_words import StopWordError, get_stop_words

    try:
        words = get_stop_words(language)
    except StopWordError:
        words = []
    extra = _data()["stop_words"].get(language, [])
    return frozenset(w for w in [*words, *extra] if not any(c.isdigit() for c in w))


@cache
def _concepts(language: str) -> dict[str, str]:
    """stem → concept term, for the language's synonym groups."""
    mapping: dict[str, str] = {}
    for group in _data()["synonyms"].get(language, []):
        concept = "~" + group[0]
        for phrase in group:
            for word in phrase.split():
                mapping.setdefault(_stem(word.lower(), language), concept)
    return mapping


@lru_cache(maxsize=200_000)
def _stem(word: str, language: str | None) -> str:
    stemmer = _stemmer(language)
    stem = stemmer.stemWord(word) if stemmer is not None else word
    return _fold(stem)


def _fold(text: str) -> str:
    if text.isascii():
        return text
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


@cache
def _function_words() -> dict[str, tuple[str, ...]]:
    """word → the languages it is a function word of."""
    index: dict[str, list[str]] = {}
    for language, words in _data()["function_words"].items():
        for word in words:
            index.setdefault(word, []).append(language)
    return {word: tuple(languages) for word, languages in index.items()}


def detect_language(text: str) -> str | None:
    """The language whose function words *text* uses most (ISO 639-1), or None when it cannot say."""
    if _CJK.search(text) and len("".join(_CJK.findall(text))) * 3 > len(text):
        return "ja" if re.search(r"[\u3040-\u30ff]", text) else "zh"
    index = _function_words()
    counts: dict[str, int] = {}
    for word in _WORD.findall(text[:600].lower()):
        for language in index.get(word, ()):
            counts[language] = counts.get(language, 0) + 1
    if not counts:
        return None
    order = list(_data()["function_words"])  # ties go to the language listed first
    return max(counts, key=lambda language: (counts[language], -order.index(language)))


def _number_term(
    cur: str | None, num: str, scale: str | None, unit: str | None, language: str | None, *, exact: bool = False
) -> list[str]:
    """The terms of one number: its currency ("$usd") and its value, amounts of money and numbers
    from 10,000 up to two significant digits ("#4.0e+07") unless *exact* (then counts keep every
    digit: quote #17414 is not quote #17272)."""
    data = _data()
    digits = num
    european = language not in (None, "en", "ja", "zh")
    if re.fullmatch(r"\d{1,3}([.,]\d{3})+", digits):
        sep = digits[1] if digits[1] in ".," else digits[len(digits.split(digits[-4])[0])]
        digits = digits.replace(sep, "") if (sep == "," or european) else digits.replace(",", "")
    digits = digits.replace(",", "." if european else "")
    try:
        value = float(digits)
    except ValueError:
        return []
    terms = []
    scales: dict[str, float] = data["number_scales"]
    currencies: dict[str, str] = data["currencies"]
    scale_word, unit_word = (scale or "").lower(), (unit or "").lower()
    currency_word = ""
    if scale_word in scales:
        value *= scales[scale_word]
        currency_word = unit_word
    elif scale_word in currencies:
        currency_word = scale_word
    currency = currencies.get(cur or "") or currencies.get(currency_word)
    if currency:
        terms.append("$" + currency)
    if value == int(value) and (value < 10_000 or exact) and not currency:
        terms.append(f"#{int(value)}")
    else:
        terms.append(f"#{value:.1e}" if value else "#0")
    return terms


def _numbers(text: str, language: str | None) -> tuple[str, list[tuple[str, str]]]:
    """*text* with its numbers replaced by spaces, and the number terms with their surface form."""
    found: list[tuple[str, str]] = []

    def replace(match: re.Match[str]) -> str:
        terms = _number_term(match["cur"], match["num"], match["scale"], match["unit"], language)
        if not terms:
            return match.group(0)
        scales, currencies = _data()["number_scales"], _data()["currencies"]
        scale_word, unit_word = (match["scale"] or "").lower(), (match["unit"] or "").lower()
        scale_used = scale_word in scales or scale_word in currencies
        unit_used = scale_word in scales and unit_word in currencies
        end = match.end("unit") if unit_used else match.end("scale") if scale_used else match.end("num")
        found.extend((t, match.string[match.start() : end].strip()) for t in terms)
        # keep the words that were not part of the number ("40 passengers")
        tail = ("" if scale_used else match["scale"] or "") + " " + ("" if unit_used else match["unit"] or "")
        return " " + tail + " "

    # digits first ("$40m", "40 million dollars"), then numbers written out ("forty million dollars")
    text = _NUMBER.sub(replace, text)
    if language is not None and _may_write_numbers(text, language):
        from text_to_num import alpha2digit

        try:
            converted = alpha2digit(text, language)
        except (ValueError, RuntimeError):
            converted = text
        if converted != text:
            text = _NUMBER.sub(replace, converted)
    return text, found


_SENTENCE_OPENERS = frozenset(".!?…\"“”‘'«([")


def _opens_sentence(text: str, at: int) -> bool:
    """Whether the word at *at* opens *text* or a sentence (only spaces after a stop or quote)."""
    i = at - 1
    while i >= 0 and text[i].isspace():
        i -= 1
    return i < 0 or text[i] in _SENTENCE_OPENERS


_STEMS_HELD = 200_000


@cache
def _word_stems(language: str | None) -> dict[str, str]:
    """word as written → its stem ("" for a word that is no term), filled as words are met."""
    return {}


def _word_stem(word: str, language: str | None, stop: frozenset[str]) -> str:
    """The stem of *word* as a term, or "" when it is none (a stop word, a bare number, too short)."""
    stems = _word_stems(language)
    if len(stems) >= _STEMS_HELD:
        stems.clear()
    lower = word.lower().replace("’", "'")
    if lower in stop or len(lower) < 2 or lower.isdigit():
        return ""
    stem = _stem(lower.split("'")[0] if "'" in lower else lower, language)
    return stem if len(stem) >= 2 else ""


def analyse(
    title: str, lead: str = "", language: str | None = None, lead_words: int = 60, *, surface: bool = True
) -> Terms:
    """The terms of a story's headline and lead (the first *lead_words* words of its text); without
    *surface*, ``Terms.surface`` is left empty (the words behind the terms are only for reasons, which
    grouping does not keep: a third less memory for each story it holds)."""
    detected = language or detect_language(f"{title} {lead}")
    # words of a text too short to tell are read as English (the most common language of feeds)
    language = detected or "en"
    lead_text = " ".join(lead.split()[:lead_words])
    # a headline in Title Case or capitals says nothing about names: the lead's capitals do
    lead_cased = _cased(lead_text, 0.85)
    lead_terms, lead_surface, lead_names, _ = _terms(lead_text, language, capitals_mean_names=not lead_cased)
    title_terms, words, title_names, order = _terms(
        title, language, capitals_mean_names=not _cased(title), known_names=frozenset(lead_names)
    )
    for term, word in lead_surface.items():
        words.setdefault(term, word)
    names = lead_names | title_names
    # the subject: the headline's first name, not a label in capitals ("BREAKING", "MATCHDAY") unless
    # the whole headline is in capitals ("KARNATAKA BANK BAGS …" is about Karnataka Bank)
    shouting = _shouting(title)
    subject = next(
        (
            t
            for t in order
            if t in names and not t.startswith(("^", "#", "$")) and (shouting or not _label(words.get(t, "")))
        ),
        None,
    )
    return Terms(
        detected,
        frozenset(title_terms),
        frozenset(title_terms | lead_terms),
        frozenset(names),
        words if surface else {},
        subject,
        _title_label(title, language, frozenset(names)),
        _quantities(title, language),
    )


_COUNTED = re.compile(r"(?:st|nd|rd|th|e|er|ème|º|ª)?[\s-]{0,2}([^\W\d_][\w'’]*)", re.UNICODE)
_COUNTER = re.compile(r"([^\W\d_][\w'’]*)[\s-]{1,2}(?:no\.?\s?|nr\.?\s?|#)?$", re.UNICODE | re.IGNORECASE)
_DATE = re.compile(r"(?<![\d.,])\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}(?![\d.,])")


def _quantities(title: str, language: str) -> frozenset[tuple[str, str]]:
    """(what is counted, number term) for the numbers of *title*: the word after a number ("13-Inch"
    → ("inch", "#13"), "1,500 shares"), the word before it ("Day Two", "Episode 12", "Part 2" →
    ("day", "#2")…), a currency ("$40m" → ("$usd", "#4.0e+07")), and a date ("10-09-2008" →
    ("@date", "10-09-2008")). Small numbers written out count too (in the languages ``text2num``
    reads), once the digits are read (so "$2.5 million" stays one amount)."""
    found: set[tuple[str, str]] = set()
    rest = _counted_numbers(title, language, found) if any(c.isdigit() for c in title) else title
    if _may_write_numbers(rest, language):
        from text_to_num import alpha2digit

        with contextlib.suppress(ValueError, RuntimeError):
            written = alpha2digit(rest, language, threshold=0)
            if written != rest:
                _counted_numbers(written, language, found)
    return frozenset(found)


def _counted_numbers(title: str, language: str, found: set[tuple[str, str]]) -> str:
    """Add the counted numbers of *title* to *found*; *title* with them replaced by a separator."""
    for date in _DATE.findall(title):
        found.add(("@date", date))
    title = _DATE.sub(" | ", title)
    scales = _data()["number_scales"]
    function_words = _function_words()
    for match in _NUMBER.finditer(title):
        terms = _number_term(match["cur"], match["num"], match["scale"], match["unit"], language, exact=True)
        number = next((t for t in terms if t.startswith("#")), None)
        if number is None:
            continue
        currency = next((t for t in terms if t.startswith("$")), None)
        if currency:
            found.add((currency, number))
            continue
        scale = (match["scale"] or "").lower()
        after = _COUNTED.match(title, match.end("scale") if scale in scales else match.end("num"))
        start = match.start("num")
        before = _COUNTER.search(title, max(0, start - 40), start)
        for counted in (after, before):
            word = counted.group(1).lower() if counted else ""
            if len(word) > 1 and word not in function_words:
                found.add((_stem(word, language), number))
    words = {**scales, **_data()["currencies"]}
    return _NUMBER.sub(lambda m: " | " + ("" if (m["scale"] or "").lower() in words else m["scale"] or "") + " ", title)


_LABEL = re.compile(r"^\s*([^:|–—]{1,50}?)\s*(?::|\||\s[-–—]\s)\s*\S")


def _title_label(title: str, language: str, names: frozenset[str]) -> tuple[str, ...]:
    """The terms of the label opening *title* (at most five words before ":", "|" or a dash)."""
    match = _LABEL.match(title)
    if not match:
        return ()
    words = _WORD.findall(match.group(1))
    if not words or len(words) > 5:
        return ()
    stop, concepts = _stop_words(language), _concepts(language)
    terms = []
    for word in words:
        lower = word.lower()
        if lower in stop:
            continue
        stem = _stem(lower, language)
        terms.append(stem if stem in names else concepts.get(stem, stem))
    return tuple(terms)


def _shouting(text: str) -> bool:
    """Whether *text* is written in capitals (most of its letters are)."""
    letters = [c for c in text if c.isalpha()]
    return len(letters) > 8 and sum(c.isupper() for c in letters) >= 0.8 * len(letters)


def _label(word: str) -> bool:
    return len(word) > 4 and word.isupper()


def _cased(text: str, share: float = 0.6) -> bool:
    """Whether most words are capitalised (Title Case or capitals), so capitals tell nothing."""
    words = [w for w in _WORD.findall(text) if w[:1].isalpha() and len(w) > 3]
    return bool(words) and sum(w[:1].isupper() for w in words) >= share * len(words)


def _terms(
    text: str, language: str | None, *, capitals_mean_names: bool, known_names: frozenset[str] = frozenset()
) -> tuple[set[str], dict[str, str], set[str], list[str]]:
    """(terms, term → word, terms written as names, terms in order of appearance); *known_names*
    are stems written as names elsewhere in the story (a Title Case headline's names)."""
    terms: set[str] = set()
    surface: dict[str, str] = {}
    names: set[str] = set()
    order: list[str] = []
    text, numbers = _numbers(text, language)
    for term, word in numbers:
        terms.add(term)
        surface.setdefault(term, word)
    for run in _CJK.findall(text):
        for i in range(len(run) - 1):
            terms.add(run[i : i + 2])
            surface.setdefault(run[i : i + 2], run[i : i + 2])
    text = _CJK.sub(" ", text)
    stop = _stop_words(language)
    concepts = _concepts(language) if language else {}
    if capitals_mean_names:
        for acronym, phrase in _acronyms(text):
            terms.add(acronym)
            names.add(acronym)
            surface.setdefault(acronym, phrase)
    stems = _word_stems(language)
    for match in _WORD.finditer(text):
        word = match.group(0).strip("'’-")
        if not word:
            continue
        stem = stems.get(word)
        if stem is None:
            stem = stems[word] = _word_stem(word, language, stop)
        if not stem:
            continue
        name = False
        if capitals_mean_names:
            if len(word) > 1 and word.isupper():
                name = True
            elif word[:1].isupper():
                name = not _opens_sentence(text, match.start())
        if not name and word[:1].isupper() and stem in known_names:
            name = True
        term = stem if name else concepts.get(stem, stem)  # a name is itself, never a concept
        terms.add(term)
        order.append(term)
        surface.setdefault(term, word)
        if name:
            names.add(term)
    return terms, surface, names, order


_CONNECTORS = frozenset({"of", "the", "for", "and", "on", "de", "du", "des", "der", "die", "für", "del", "di"})
_CAPITALISED_RUN = re.compile(
    r"(?:[A-Z][\w&'’.-]*(?:\s+(?:of|the|for|and|on|de|du|des|der|die|für|del|di))?\s+)+[A-Z][\w&'’.-]*"
)


def _acronyms(text: str) -> list[tuple[str, str]]:
    """Acronym terms (``^doj``): of words in capitals ("DOJ", "AT&T") and of runs of capitalised words
    ("Department of Justice"), so that either form of a name matches the other."""
    found = []
    for word in re.findall(r"\b[A-Z][A-Z&]{1,5}\b", text):
        found.append(("^" + word.lower().replace("&", ""), word))
    for run in _CAPITALISED_RUN.findall(text):
        words = [w for w in run.split() if w.lower() not in _CONNECTORS]
        if 2 <= len(words) <= 6:
            found.append(("^" + "".join(w[0].lower() for w in words), run))
    return found


def weight(term: str, names: frozenset[str]) -> float:
    """How telling a shared term is: numbers most, then concepts and content words, names least
    (two reports of different events often share a name)."""
    if term.startswith("#"):
        return 2.0 if "e" in term or len(term) > 3 else 1.0
    if term.startswith("$"):
        return 0.5
    if term.startswith("^"):
        return 1.0
    if term in names:
        return 1.0
    return 1.0 + min(1.0, math.log(max(len(term), 2)) / 3)
