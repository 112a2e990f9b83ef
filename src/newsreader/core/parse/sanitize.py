"""HTML sanitising with an allow-list (nh3, the Rust ``ammonia`` sanitiser) and HTML-to-text helpers.

Story HTML keeps structure (headings, paragraphs, lists, quotes, code, tables, figures, images,
links) and loses everything active: scripts, styles, iframes, objects, forms, event handlers,
inline CSS and any URL scheme other than http, https and mailto (``data:`` is allowed for images
only when a later version proves it safe; today it is dropped).
"""

from __future__ import annotations

import html
import re
import threading
from urllib.parse import urljoin

import nh3

ALLOWED_TAGS: frozenset[str] = frozenset(
    {
        "a",
        "abbr",
        "acronym",
        "address",
        "article",
        "aside",
        "b",
        "bdi",
        "bdo",
        "blockquote",
        "br",
        "caption",
        "cite",
        "code",
        "col",
        "colgroup",
        "dd",
        "del",
        "details",
        "dfn",
        "div",
        "dl",
        "dt",
        "em",
        "figcaption",
        "figure",
        "footer",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hr",
        "i",
        "img",
        "ins",
        "kbd",
        "li",
        "mark",
        "ol",
        "p",
        "picture",
        "pre",
        "q",
        "rp",
        "rt",
        "ruby",
        "s",
        "samp",
        "section",
        "small",
        "source",
        "span",
        "strike",
        "strong",
        "sub",
        "summary",
        "sup",
        "table",
        "tbody",
        "td",
        "tfoot",
        "th",
        "thead",
        "time",
        "tr",
        "tt",
        "u",
        "ul",
        "var",
        "wbr",
        "audio",
        "video",
    }
)

# Elements whose content is dropped along with the tag (not just unwrapped).
DROPPED_WITH_CONTENT: frozenset[str] = frozenset(
    {
        "script",
        "style",
        "iframe",
        "object",
        "embed",
        "noscript",
        "template",
        "form",
        "select",
        "textarea",
        "button",
        "svg",
        "math",
        "frame",
        "frameset",
        "applet",
        "head",
        "title",
    }
)

ALLOWED_ATTRIBUTES: dict[str, set[str]] = {
    "*": {"title", "lang", "dir"},
    "a": {"href", "hreflang", "name"},
    "img": {"src", "alt", "width", "height"},
    "source": {"src", "type", "media"},
    "audio": {"src", "controls"},
    "video": {"src", "controls", "poster", "width", "height"},
    "td": {"colspan", "rowspan", "align"},
    "th": {"colspan", "rowspan", "align", "scope"},
    "col": {"span"},
    "colgroup": {"span"},
    "ol": {"start", "type", "reversed"},
    "li": {"value"},
    "time": {"datetime"},
    "blockquote": {"cite"},
    "q": {"cite"},
    "del": {"cite", "datetime"},
    "ins": {"cite", "datetime"},
    "abbr": {"title"},
}

URL_SCHEMES: frozenset[str] = frozenset({"http", "https", "mailto"})

_TAG_RE = re.compile(r"<[^>]*>")
SPONSORED_MARK = "nr-sponsored"
"""The one class kept on links: a link the source marked ``rel="sponsored"`` (the sanitiser rewrites
``rel``), so the story/sponsored split can still see it in stored HTML."""
_ANCHOR_RE = re.compile(r"<a\b[^>]*>", re.IGNORECASE)
_SPONSORED_REL_RE = re.compile(r"""\brel\s*=\s*["']?[^"'>]*\bsponsored\b""", re.IGNORECASE)
_CLASS_ATTR_RE = re.compile(r"""\sclass\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>]*)""", re.IGNORECASE)


def _mark_sponsored(match: re.Match[str]) -> str:
    tag = match.group(0)
    if not _SPONSORED_REL_RE.search(tag):
        return _CLASS_ATTR_RE.sub("", tag)  # no class of the source's own survives, ours neither
    return _CLASS_ATTR_RE.sub("", tag[:-1]).rstrip("/") + f' class="{SPONSORED_MARK}">'


_base = threading.local()


def _resolve_relative(url: str) -> str | None:
    base: str | None = getattr(_base, "url", None)
    if not base:
        return None  # without a base a relative URL would resolve against the reader itself
    try:
        return urljoin(base, url)
    except ValueError:
        return None


# Built once: constructing a cleaner per call costs as much as the cleaning itself.
_STORY_CLEANER = nh3.Cleaner(
    tags=set(ALLOWED_TAGS),
    clean_content_tags=set(DROPPED_WITH_CONTENT),
    attributes=ALLOWED_ATTRIBUTES,
    tag_attribute_values={"a": {"class": {SPONSORED_MARK}}},
    url_schemes=set(URL_SCHEMES),
    url_relative=_resolve_relative,
    link_rel="noopener noreferrer nofollow",
    strip_comments=True,
)
_TEXT_CLEANER = nh3.Cleaner(tags=set(), clean_content_tags=set(DROPPED_WITH_CONTENT), attributes={})


def sanitize_html(fragment: str, base_url: str | None = None) -> str:
    """Return *fragment* with only allow-listed elements, attributes and URL schemes.

    Relative URLs are resolved against *base_url* (http or https) when given, else dropped. Links
    marked ``rel="sponsored"`` keep that mark as ``class="nr-sponsored"`` (every ``rel`` is rewritten).
    """
    if not fragment:
        return ""
    _base.url = base_url if base_url and base_url.startswith(("http://", "https://")) else None
    if "sponsored" in fragment:
        fragment = _ANCHOR_RE.sub(_mark_sponsored, fragment)
    try:
        cleaned: str = _STORY_CLEANER.clean(fragment)
    finally:
        _base.url = None
    return cleaned.strip()


def html_to_text(fragment: str) -> str:
    """Plain text of an HTML fragment, whitespace collapsed (for titles and the search index)."""
    if not fragment:
        return ""
    if "<" in fragment:
        fragment = _TEXT_CLEANER.clean(fragment)
    return collapse_space(html.unescape(fragment))


def sanitized_html_to_text(fragment: str) -> str:
    """Plain text of HTML that :func:`sanitize_html` produced (well-formed, so a regex suffices)."""
    if not fragment:
        return ""
    return collapse_space(html.unescape(_TAG_RE.sub(" ", fragment)))


_BLOCK_END_RE = re.compile(r"<br\s*/?>|</(?:p|div|h[1-6]|li|blockquote|pre|tr|table|figure|section|article)>", re.I)


def sanitized_html_to_paragraphs(fragment: str) -> str:
    """Readable plain text of sanitised HTML for a terminal: one paragraph per block, blank lines between."""
    if not fragment:
        return ""
    marked = _BLOCK_END_RE.sub("\n\n", fragment)
    paragraphs = (collapse_space(html.unescape(_TAG_RE.sub(" ", part))) for part in marked.split("\n\n"))
    return "\n\n".join(p for p in paragraphs if p)


def text_to_html(text: str) -> str:
    """Escape plain text so it displays as itself inside HTML, keeping paragraph breaks."""
    escaped = html.escape(text.strip(), quote=False)
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", escaped) if p.strip()]
    if len(paragraphs) <= 1:
        return escaped
    return "".join(f"<p>{p}</p>" for p in paragraphs)


# Characters a reader never sees that split words for the search index (and for copy and paste):
# the soft hyphen, zero-width space, word joiner, byte-order mark, combining grapheme joiner,
# invisible operators, directional marks and embeddings. The zero-width (non-)joiners stay: they
# change how Indic, Arabic and Persian words and emoji sequences are drawn.
_INVISIBLE_RE = re.compile("[\u00ad\u034f\u061c\u180e\u200b\u200e\u200f\u202a-\u202e\u2060-\u206f\ufeff]")
_ENTITY_RE = re.compile(r"&(?:#\d+|#[xX][0-9a-fA-F]+|[a-zA-Z][a-zA-Z0-9]*);?")


def collapse_space(text: str) -> str:
    """Collapse runs of white space to one space, strip the ends and drop invisible characters
    (soft hyphens, zero-width spaces, directional marks…)."""
    if _INVISIBLE_RE.search(text):
        text = _INVISIBLE_RE.sub("", text)
    return " ".join(text.split())


def unescape_references(text: str) -> str:
    """Character references in text that is meant to be plain (many feeds escape it twice) decoded."""
    return html.unescape(text) if "&" in text and _ENTITY_RE.search(text) else text


def plain_text(text: str) -> str:
    """Clean text of a plain-text field (title, author, category): character references decoded,
    invisible characters dropped, white space collapsed."""
    return collapse_space(unescape_references(text))


_HTML_HINT_RE = re.compile(r"<\s*/?\s*[a-zA-Z][^>]*>|&(#\d+|#x[0-9a-fA-F]+|[a-zA-Z][a-zA-Z0-9]*);")


def looks_like_html(text: str) -> bool:
    """Guess whether an RSS text field (which has no declared type) holds HTML markup."""
    return bool(_HTML_HINT_RE.search(text))
