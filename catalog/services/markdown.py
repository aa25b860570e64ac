"""Curator Markdown to safe HTML, with numbered citations turned into footnote links."""

import re
import threading

import markdown as markdown_lib
import nh3

CITATION = re.compile(r"\[(\d{1,3})\](?![(:])")
ALLOWED_TAGS = {
    "a",
    "abbr",
    "b",
    "blockquote",
    "br",
    "code",
    "em",
    "h3",
    "h4",
    "i",
    "li",
    "ol",
    "p",
    "pre",
    "strong",
    "sup",
    "sub",
    "table",
    "tbody",
    "td",
    "th",
    "thead",
    "tr",
    "ul",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title", "class"}, "sup": {"class"}, "abbr": {"title"}}


def cite_links(text: str, source_numbers: set[int], anchor_prefix: str = "source-") -> str:
    """Replace [n] by a footnote link when source n exists; leave other brackets as written."""

    def replace(match: re.Match) -> str:
        number = int(match.group(1))
        if number not in source_numbers:
            return match.group(0)
        return f'<sup class="cite"><a href="#{anchor_prefix}{number}" class="cite">[{number}]</a></sup>'

    return CITATION.sub(replace, text)


_converters = threading.local()  # building a Markdown converter costs more than converting a paragraph


def _converter() -> markdown_lib.Markdown:
    converter = getattr(_converters, "markdown", None)
    if converter is None:
        converter = _converters.markdown = markdown_lib.Markdown(extensions=["sane_lists"])
    return converter.reset()


def render_markdown(text: str, source_numbers: set[int] | frozenset[int] = frozenset()) -> str:
    """Markdown rendered, citations linked, then sanitized with nh3: no script, handler or javascript: URL."""
    if not (text or "").strip():
        return ""
    html = _converter().convert(cite_links(text, set(source_numbers)))
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )
