"""Issue 12 on the real data: models.dev 1.0.300 → 1.0.398 (bundled) → LiteLLM → models.dev → LiteLLM.

One import chain per module (it takes a while), then every "Done when" figure asserted on it.
"""

from __future__ import annotations

import io
from collections import defaultdict

import pytest
from django.core.management import call_command
from django.db.models import Count, Q

from catalog.models import (
    Family,
    ModelKind,
    Offering,
    OfferingKind,
    PriceRecord,
    Status,
    Variant,
    VariantAlias,
)
from catalog.services.importers.identity import canonical_key

pytestmark = pytest.mark.django_db


def _run(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


@pytest.fixture(scope="module")
def chain(django_db_setup, django_db_blocker, modelsdev_old, litellm_json):
    """The import chain of the issue, once; the outputs of its five runs."""
    with django_db_blocker.unblock():
        from django.core.management import call_command as cc

        cc("flush", "--noinput", verbosity=0)
        cc("load_seed", verbosity=0, stdout=io.StringIO())
        outputs = [
            _run("import_modelsdev", str(modelsdev_old)),
            _run("import_modelsdev"),
            _run("import_litellm", str(litellm_json)),
        ]
        records_before = PriceRecord.objects.count()
        outputs += [_run("import_modelsdev"), _run("import_litellm", str(litellm_json))]
        yield {"outputs": outputs, "records_before": records_before}
        cc("flush", "--noinput", verbosity=0)


def test_the_last_two_runs_write_nothing(chain):
    assert "No change" in chain["outputs"][3]
    assert "No change" in chain["outputs"][4]
    assert PriceRecord.objects.count() == chain["records_before"]


def test_the_named_models_are_one_variant_each(chain):
    for model_ids in (
        ["anthropic-claude-opus-4.6", "databricks-claude-opus-4-6", "claude-opus4-6", "anthropic/claude-opus-4.6-fast"],
        ["llama-3.2-3b-instruct", "llama3.2-3b", "eu.meta.llama3-2-3b-instruct-v1:0"],
        ["mimo-v2.5", "xiaomi/mimo-v2.5", "xiaomi-mimo-v2.5-free"],
        ["llama-4-maverick", "meta-llama/llama-4-maverick-17b-128e-instruct"],
    ):
        variants = set(Offering.objects.filter(model_id__in=model_ids).values_list("variant_id", flat=True))
        assert len(variants) == 1, (model_ids, variants)


def test_no_two_current_variants_share_a_maker_and_a_name(chain):
    seen = defaultdict(list)
    current = Variant.objects.filter(status=Status.CURRENT).exclude(kind=ModelKind.ROUTER)
    for variant in current.select_related("family"):
        seen[(variant.family.creator_id, canonical_key(variant.name))].append(variant.slug)
    assert [slugs for slugs in seen.values() if len(slugs) > 1] == []


def test_families_have_creators_and_keep_kinds_apart(chain):
    families = Family.objects.count()
    unattributed = Family.objects.filter(creator__slug="unattributed").count()
    assert unattributed / families < 0.03, (unattributed, families)
    chat_families = set(Variant.objects.filter(kind=ModelKind.CHAT).values_list("family_id", flat=True))
    assert not Variant.objects.filter(
        kind__in=[ModelKind.EMBEDDING, ModelKind.SPEECH], family_id__in=chat_families
    ).exists()
    bge = Variant.objects.filter(match_key__startswith="bge-").select_related("family__creator")
    assert bge and {variant.family.creator.slug for variant in bge} == {"baai"}


def test_open_weights_variants_mostly_have_parameter_counts_with_provenance(chain):
    open_weights = Variant.objects.filter(open_weights=True)
    counted = open_weights.filter(Q(parameters__isnull=False) | Q(active_parameters__isnull=False))
    assert counted.count() / open_weights.count() >= 0.8
    assert not counted.filter(parameters_source="").exclude(origin="seed").exists()
    maverick = Offering.objects.get(provider__slug="openrouter", model_id="meta-llama/llama-4-maverick").variant
    assert maverick.active_parameters == 17_000_000_000


def test_delisted_listings_supply_no_current_value_or_price(chain):
    delisted = Offering.objects.filter(listed=False)
    assert delisted.exists()
    # A variant none of whose offerings is listed any more is no longer "current".
    stale = Variant.objects.annotate(
        offerings_n=Count("offerings"), listed_n=Count("offerings", filter=Q(offerings__listed=True))
    ).filter(offerings_n__gt=0, listed_n=0)
    assert stale.exists() and set(stale.values_list("status", flat=True)) <= {
        Status.UNLISTED,
        Status.LEGACY,
        Status.DEPRECATED,
        Status.RETIRED,
    }
    # The lowest prices count only listed pay-per-token offerings.
    for variant in Variant.objects.filter(price_in_min__isnull=False)[:300]:
        cheapest = variant.offerings.filter(
            listed=True, kind=OfferingKind.PAY_PER_TOKEN, price_input=variant.price_in_min
        )
        assert cheapest.exists(), variant.slug


def test_subscriptions_and_free_tiers_are_not_prices(chain):
    copilot = Offering.objects.filter(provider__slug="github-copilot")
    assert copilot.exists() and set(copilot.values_list("kind", flat=True)) == {OfferingKind.SUBSCRIPTION}
    assert Offering.objects.filter(model_id__endswith=":free", kind=OfferingKind.FREE_TIER).exists()
    assert (
        not Variant.objects.filter(price_in_min=0, offerings__kind=OfferingKind.SUBSCRIPTION, offerings__price_input=0)
        .exclude(offerings__kind=OfferingKind.PAY_PER_TOKEN, offerings__price_input=0)
        .exists()
    )


def test_merged_keys_are_remembered_as_aliases(chain):
    assert VariantAlias.objects.exists()
    for alias in VariantAlias.objects.select_related("variant")[:200]:
        assert alias.variant.match_key != alias.alias
