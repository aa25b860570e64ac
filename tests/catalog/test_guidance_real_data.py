"""Guidance on the real data: the seed, the bundled models.dev import and (where `make data` fetched it) LiteLLM.

Imported once for the module. Each chooser need from the guidance issue gets its own test: its top
three are pay-per-token offerings that meet every stated need themselves. Use-when lines tell
siblings apart (80 % of current variants in every family of five or more), and no FAQ answer names
an alias, router, merge or no-longer-listed variant as the pick.
"""

import os
import re
from collections import Counter
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from catalog import guidance
from catalog.guidance import chooser
from catalog.models import Family, ModelKind, Offering, OfferingKind, Variant
from catalog.selectors import chooser as chooser_selectors
from catalog.selectors import guidance as guidance_selectors
from catalog.selectors.family_page import SMALL_FAMILY, family_page

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def real_catalog(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        out = StringIO()
        call_command("load_seed", stdout=out)
        call_command("import_modelsdev", stdout=out)
        litellm = os.environ.get("LITELLM_JSON")
        if litellm and Path(litellm).is_file():
            call_command("import_litellm", litellm, stdout=out)
    yield
    with django_db_blocker.unblock():
        call_command("flush", interactive=False, verbosity=0)


def top(needs: chooser.Needs, count: int = 3) -> list[chooser.Match]:
    page = chooser_selectors.choose(needs)
    matches = list(page.page_obj)[:count]
    assert len(matches) == count, f"only {page.count} models meet {needs}"
    return matches


def offering_of(match: chooser.Match) -> Offering:
    return Offering.objects.select_related("variant", "provider").get(
        provider__slug=match.price.provider_slug, model_id=match.price.model_id
    )


def assert_pay_per_token(match: chooser.Match) -> Offering:
    assert match.price is not None and match.price.kind == OfferingKind.PAY_PER_TOKEN, match.reasons
    offering = offering_of(match)
    assert offering.kind == OfferingKind.PAY_PER_TOKEN and offering.listed
    assert offering.variant.kind != ModelKind.ROUTER
    return offering


def test_vision_and_tool_calling_at_a_monthly_volume(real_catalog):
    needs = chooser.Needs(modalities=("image",), tool_calling=True, input_tokens=10_000_000, output_tokens=2_000_000)
    for match in top(needs):
        offering = assert_pay_per_token(match)
        assert "image" in offering.variant.input_modalities and offering.variant.tool_calling is True
        assert match.cost is not None and match.cost.total > 0


def test_a_million_tokens_of_context_at_the_offering_itself(real_catalog):
    for match in top(chooser.Needs(context_min=1_000_000)):
        offering = assert_pay_per_token(match)
        assert (offering.context_window or offering.variant.context_window) >= 1_000_000


def test_reasoning_under_two_dollars_output(real_catalog):
    for match in top(chooser.Needs(reasoning=True, price_output_max=Decimal(2))):
        offering = assert_pay_per_token(match)
        assert offering.variant.reasoning is True and offering.price_output <= 2


def test_open_weights_up_to_24b(real_catalog):
    matches = top(chooser.Needs(kind=ModelKind.CHAT, open_weights=True, params_max=24 * 10**9))
    for match in matches:
        offering = assert_pay_per_token(match)
        assert offering.variant.open_weights is True and offering.variant.parameters <= 24 * 10**9
    assert {m.candidate.family_slug for m in matches} - {"llava", "llava-1-5"}, "only the seed's rows"


def test_an_embedding_need_returns_embedding_models(real_catalog):
    matches = top(chooser.Needs(kind=ModelKind.EMBEDDING))
    for match in matches:
        assert_pay_per_token(match)
        assert match.candidate.kind == ModelKind.EMBEDDING


def test_use_when_lines_tell_siblings_apart(real_catalog):
    short = []
    for slug in Family.objects.published().values_list("slug", flat=True):
        page = family_page(slug)
        current = [v for v in page.variants if guidance.is_current(v)]
        if len(current) < 5:
            continue
        counts = Counter(page.lines[v.pk] for v in current)
        own = sum(1 for v in current if counts[page.lines[v.pk]] == 1)
        if own < 0.8 * len(current):
            short.append((slug, own, len(current)))
    assert not short, f"families where fewer than 80 % of current variants have a line of their own: {short}"


def _picks(answer: str) -> list[str]:
    """The variant names an answer recommends or names as a first/latest release or cheapest offering."""
    found = re.findall(r"evaluate (.+?)(?: with |\.$)", answer)
    found += re.findall(r"start with (.+?) at ", answer)
    found += re.findall(r"release is (.+?), (?:on|in) \d", answer)
    found += re.findall(r"the latest is (.+?), (?:on|in) \d", answer)
    return found


def test_no_faq_names_an_alias_router_merge_or_unlisted_variant_as_the_pick(real_catalog):
    not_picks = {
        name
        for name, kind, status, points_to in Variant.objects.values_list("name", "kind", "status", "points_to")
        if kind == ModelKind.ROUTER
        or status == "unlisted"
        or points_to
        or re.search(r"\blatest\b|\bslerp\b|\bmerged?\b", name, re.IGNORECASE)
    }
    problems = []
    families = checked = 0
    for slug in Family.objects.published().values_list("slug", flat=True):
        families += 1
        for row in guidance_selectors.family_faq_page(slug).rows:
            text = row.text
            if re.search(r"\bA AI\b|\ba AI\b|by Unattributed", text):
                problems.append((slug, text[:120]))
            for named in _picks(text):
                checked += 1
                if any(name in not_picks for name in re.split(r", and |, | and ", named)):
                    problems.append((slug, named))
    # The scan read the picks of every family (356 from models.dev alone, 500 with LiteLLM).
    assert families > 300 and checked > 2 * families
    assert not problems, problems[:10]


def test_the_biggest_family_pages_are_bounded(real_catalog, client):
    from django.db.models import Count

    biggest = list(
        Family.objects.published().annotate(n=Count("variants")).order_by("-n").values_list("slug", "n")[:12]
    )
    assert biggest[0][1] > 100
    for slug, size in biggest:
        response = client.get(f"/families/{slug}/")
        assert response.status_code == 200, slug
        html = response.content.decode()
        assert len(response.content) < 150_000, (slug, size, len(response.content))
        assert html.count('class="price-grid"') <= 1  # one providers-and-prices table, not one per provider
        if size > SMALL_FAMILY:  # a big family: its newest series open, older ones collapsed
            assert html.count('<details class="series" open>') == 1 and '<details class="series">' in html, slug
        # No empty heading: none is followed straight by one of its own level or higher, or by its section's end.
        assert not re.search(r"<h2[^>]*>[^<]*</h2>\s*<(h2|/section)", html), slug
        assert not re.search(r"<h3[^>]*>[^<]*</h3>\s*<(h2|h3|/section)", html), slug
