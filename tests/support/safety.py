"""What "safe HTML" means for stored and rendered stories, as one reusable check."""

from __future__ import annotations

from urllib.parse import urlsplit

import lxml.html

FORBIDDEN_ELEMENTS = frozenset(
    {
        "script",
        "style",
        "iframe",
        "object",
        "embed",
        "form",
        "input",
        "button",
        "select",
        "textarea",
        "meta",
        "base",
        "link",
        "svg",
        "math",
        "frame",
        "frameset",
        "applet",
        "template",
        "noscript",
        "html",
        "head",
        "body",
        "title",
    }
)
URL_ATTRIBUTES = frozenset({"href", "src", "action", "formaction", "poster", "background", "cite", "srcset", "data"})
SAFE_SCHEMES = frozenset({"http", "https", "mailto"})


def dangers(fragment: str) -> list[str]:
    """Every dangerous part of an HTML fragment (empty when it is safe)."""
    if not fragment.strip():
        return []
    found = []
    root = lxml.html.fragment_fromstring(fragment, create_parent="div")
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        if el is not root and el.tag.lower() in FORBIDDEN_ELEMENTS:
            found.append(f"<{el.tag}>")
        for name, value in el.attrib.items():
            lowered = name.lower()
            if lowered.startswith("on"):
                found.append(f"{el.tag}[{name}]")
            elif lowered == "style":
                found.append(f"{el.tag}[style]")
            elif lowered in URL_ATTRIBUTES:
                scheme = urlsplit(value.strip()).scheme.lower()
                if scheme and scheme not in SAFE_SCHEMES:
                    found.append(f"{el.tag}[{name}={value[:40]}]")
    return found
