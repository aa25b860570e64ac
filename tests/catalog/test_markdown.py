"""Curator Markdown is rendered, cited and sanitized."""

from catalog.models import Family
from catalog.services.markdown import cite_links, render_markdown
from tests.html import visible_text

PAYLOADS = [
    '<script>alert("x")</script>',
    '<img src=x onerror="alert(1)">',
    "[click](javascript:alert(1))",
    '<a href="javascript:alert(1)">link</a>',
]


def test_citations_become_footnote_links_only_for_known_sources():
    html = cite_links("Fact [1][2][9].", {1, 2})
    assert html.count('class="cite"') == 4  # two sups, two links
    assert 'href="#source-1"' in html and 'href="#source-2"' in html
    assert "[9]" in html and "#source-9" not in html


def test_markdown_links_are_not_taken_for_citations():
    html = render_markdown("See [1](https://example.org) and [2].", {1, 2})
    assert '<a href="https://example.org" rel="noopener noreferrer nofollow">1</a>' in html
    assert 'href="#source-2"' in html


def test_payloads_are_inert():
    for payload in PAYLOADS:
        html = render_markdown(f"Hello {payload}", {1})
        assert "<script" not in html and "onerror" not in html and "javascript:" not in html, html


def test_payloads_in_about_and_faq_are_inert_on_the_family_page(client, seed):
    family = Family.objects.get(slug="llava")
    family.about = " ".join(PAYLOADS) + " Still cited [1]."
    family.save()
    family.faq_entries.create(question="Is it safe?", answer=" ".join(PAYLOADS))
    html = client.get("/families/llava/").content.decode()
    assert "<script>alert" not in html
    assert "onerror" not in html
    assert "javascript:" not in html
    assert "Still cited [1]." in visible_text(html)
