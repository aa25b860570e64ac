"""Data quality: every rule with data that triggers it and data that does not; findings that stay
dismissed; the check_data command; the admin list, badge and dismissal; the visitor's note; queries."""

import datetime
import io

import pytest
from django.contrib.auth.models import Permission, User
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from catalog.models import (
    Disagreement,
    Family,
    FAQEntry,
    FieldLock,
    Finding,
    ImportRun,
    Listing,
    Offering,
    Organization,
    Provider,
    Source,
    Tag,
    Variant,
)
from catalog.selectors import quality as quality_selectors
from catalog.services import quality
from tests import factories

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 11, 1, 12, tzinfo=datetime.UTC)
LLAVA_TEXT_ONLY = {"LLaVA Vicuna 13B", "LLaVA Llama 2 13B", "LLaVA Llama 2 7B"}


def found(code, now=NOW, stale_days=None) -> dict[str, quality.Found]:
    """What one rule finds now, by subject (nothing is written)."""
    data = quality.Snapshot(now=now, stale_days=stale_days)
    return {item.subject: item for item in quality.RULES[code].check(data)}


def subjects_of(code, **kwargs) -> set[str]:
    return set(found(code, **kwargs))


def vsub(variant) -> str:
    return f"variant:{variant.pk}"


def osub(offering) -> str:
    return f"offering:{offering.pk}"


def listing(offering, source="models.dev", listed=True, match=Listing.Match.EXACT, note="", **values):
    key = f"{offering.provider.slug}/{offering.model_id}"
    return Listing.objects.create(
        source=source,
        key=key,
        offering=offering,
        values=values,
        match=match,
        match_note=note,
        listed=listed,
        first_seen_at=NOW,
        changed_at=NOW,
        delisted_at=None if listed else NOW - datetime.timedelta(days=30),
    )


def import_run(source="models.dev", days_ago=1, status=ImportRun.Status.SUCCEEDED):
    when = NOW - datetime.timedelta(days=days_ago)
    return ImportRun.objects.create(source=source, dataset="api.json", started_at=when, finished_at=when, status=status)


@pytest.fixture
def fam():
    return factories.family("acme", "Acme")


@pytest.fixture
def api():
    return factories.provider("cloudy", "Cloudy", Provider.Kind.API)


# --- Every rule is tested below ----------------------------------------------------------------

TESTED_RULES = set()


def covers(code):
    """Mark a test as the test of a rule (recorded when the module is collected)."""
    TESTED_RULES.add(code)
    return lambda test: test


def test_every_rule_has_a_test_and_documentation():
    assert TESTED_RULES == set(quality.RULES)
    for r in quality.RULES.values():
        assert r.description and r.title and r.area
        assert r.severity in Finding.Severity.values


# Modalities and specs ---------------------------------------------------------------------------


@covers("modalities-contradict-family")
def test_modalities_contradict_family_finds_the_seeds_three_llava_variants(seed):
    code = "modalities-contradict-family"
    result = found(code)
    assert {Variant.objects.get(pk=int(s.split(":")[1])).name for s in result} == LLAVA_TEXT_ONLY
    item = result[vsub(Variant.objects.get(slug="llava-vicuna-13b"))]
    assert "LLaVA Vicuna 13B takes text input only, but LLaVA is a vision family" in item.message
    assert "“vision and multimodal work”" in item.message
    assert item.fix_url == reverse("admin:catalog_variant_change", args=[item.variant_id])
    assert item.public_note


def test_modalities_contradict_family_needs_known_modalities_and_a_vision_family(fam):
    code = "modalities-contradict-family"
    tag = Tag.objects.create(kind=Tag.Kind.USE_CASE, name="Vision and multimodal work", slug="vision")
    unknown = factories.variant(fam, "unknown", input_modalities=[])
    text = factories.variant(fam, "text", input_modalities=["text"])
    assert subjects_of(code) == set()  # Acme says nothing about vision
    fam.family_tags.create(tag=tag)
    assert subjects_of(code) == {vsub(text)}  # unknown modalities are not a contradiction
    assert vsub(unknown) not in subjects_of(code)
    pixtral = factories.family("pixtral", "Pixtral")
    small = factories.variant(pixtral, "pixtral-text", input_modalities=["text"])
    factories.variant(pixtral, "pixtral-12b", input_modalities=["text", "image"])
    assert vsub(small) in subjects_of(code)  # the family's name says vision


@covers("modalities-unlike-siblings")
def test_modalities_unlike_siblings(fam):
    code = "modalities-unlike-siblings"
    for i in range(3):
        factories.variant(fam, f"img-{i}", input_modalities=["text", "image"])
    odd = factories.variant(fam, "odd", input_modalities=["text"])
    assert subjects_of(code) == set()  # three siblings are too few to say what the family takes
    factories.variant(fam, "img-3", input_modalities=["text", "image"])
    result = found(code)
    assert set(result) == {vsub(odd)}
    assert "4 of the 4 other Acme variants read images" in result[vsub(odd)].message
    factories.variant(fam, "txt-2", input_modalities=["text"])
    factories.variant(fam, "txt-3", input_modalities=["text"])
    assert subjects_of(code) == set()  # 4 of 6 is under three quarters


@covers("missing-specs")
def test_missing_specs(fam):
    code = "missing-specs"
    complete = factories.variant(fam, "complete", context_window=4096, parameters=7 * 10**9, open_weights=True)
    no_context = factories.variant(fam, "no-context")
    no_params = factories.variant(fam, "no-params", context_window=4096, open_weights=True)
    closed = factories.variant(fam, "closed", context_window=4096, open_weights=False)
    undated = factories.variant(fam, "undated", context_window=4096, release_date=None, release_precision="day")
    factories.variant(fam, "retired", status="retired", retirement_date=datetime.date(2025, 1, 1))
    result = found(code)
    assert set(result) == {vsub(no_context), vsub(no_params), vsub(undated)}
    assert result[vsub(no_context)].message == "NO-CONTEXT (Acme) has no context window."
    assert "parameter count (it has open weights)" in result[vsub(no_params)].message
    assert "release date" in result[vsub(undated)].message
    assert vsub(complete) not in result and vsub(closed) not in result


# Prices -------------------------------------------------------------------------------------------


@covers("price-missing")
def test_price_missing_at_paid_providers_only(fam, api):
    code = "price-missing"
    v = factories.variant(fam, "v")
    local = factories.provider("runtime", "Runtime", Provider.Kind.LOCAL)
    unpriced = factories.offering(v, api, "v-unpriced")
    half = factories.offering(v, api, "v-half", price_input="1")
    factories.offering(v, api, "v-priced", "1", "2")
    factories.offering(v, local, "v-local")
    factories.offering(v, api, "v-gone", status=Offering.Status.DEPRECATED)
    result = found(code)
    assert set(result) == {osub(unpriced), osub(half)}
    assert (
        result[osub(half)].message
        == "v-half at Cloudy (API) has no output price, so visitors read that the catalog has none."
    )
    assert result[osub(half)].fix_url == reverse("admin:catalog_offering_change", args=[half.pk])


@covers("price-zero-unsourced")
def test_price_zero_that_no_source_gives(fam, api):
    code = "price-zero-unsourced"
    v = factories.variant(fam, "v")
    typed = factories.offering(v, api, "v-typed", "0", "0")
    sourced = factories.offering(v, api, "v-sourced", "0", "0")
    listing(sourced, price_input="0", price_output="0")
    contradicted = factories.offering(v, api, "v-contradicted", "0", "15")
    listing(contradicted, price_input="3", price_output="15")
    factories.offering(v, api, "v:free", "0", "0")
    factories.offering(v, api, "v-paid", "1", "2")
    result = found(code)
    assert set(result) == {osub(typed), osub(contradicted)}
    assert (
        "shows a $0 input price, but no source says it is free (models.dev says $3.00)"
        in result[osub(contradicted)].message
    )


@covers("price-input-above-output")
def test_price_input_above_output(fam, api):
    code = "price-input-above-output"
    v = factories.variant(fam, "v")
    swapped = factories.offering(v, api, "guard", "0.484", "0.03")
    factories.offering(v, api, "normal", "1", "2")
    factories.offering(v, api, "close", "1.5", "1")  # dearer input, but not unusually so
    result = found(code)
    assert set(result) == {osub(swapped)}
    assert "input $0.484 is 16× the output $0.03" in result[osub(swapped)].message


@covers("price-sources-disagree")
def test_price_sources_disagree_by_more_than_three_times(fam, api):
    code = "price-sources-disagree"
    v = factories.variant(fam, "v")
    far = factories.offering(v, api, "far", "0.48", "1")
    near = factories.offering(v, api, "near", "0.48", "1")
    free = factories.offering(v, api, "free-vs-paid", "0", "1")
    for offering, field, values in [
        (far, "price_input", {"models.dev": "0.48", "litellm": "19.2"}),
        (near, "price_input", {"models.dev": "0.48", "litellm": "0.4822"}),
        (near, "context_window", {"models.dev": 128000, "litellm": 1000000}),  # not a price
        (free, "price_input", {"models.dev": "0", "litellm": "0.5"}),
    ]:
        Disagreement.objects.create(offering=offering, field=field, values=values, detected_at=NOW)
    result = found(code)
    assert set(result) == {f"{osub(far)}:price_input", f"{osub(free)}:price_input"}
    message = result[f"{osub(far)}:price_input"].message
    assert "LiteLLM says $19.20, models.dev says $0.48; 40× apart" in message
    assert "free against paid" in result[f"{osub(free)}:price_input"].message


@covers("price-providers-spread")
def test_price_providers_spread(fam, api):
    code = "price-providers-spread"
    other = factories.provider("other", "Other")
    wide, narrow = factories.variant(fam, "wide"), factories.variant(fam, "narrow")
    factories.offering(wide, api, "wide-a", "1", "2")
    factories.offering(wide, other, "wide-b", "4", "5")
    factories.offering(narrow, api, "narrow-a", "1", "2")
    factories.offering(narrow, other, "narrow-b", "2.5", "5")
    same = factories.variant(fam, "same")
    factories.offering(same, api, "same-a", "1", "2")
    factories.offering(same, api, "same-b", "9", "2")  # one provider's two ids: not a spread between providers
    result = found(code)
    assert set(result) == {f"{vsub(wide)}:price_input"}
    assert (
        "from $1.00 (wide-a at Cloudy) to $4.00 (wide-b at Other), 4× apart"
        in result[f"{vsub(wide)}:price_input"].message
    )


# Staleness ----------------------------------------------------------------------------------------


@covers("not-seen-by-last-import")
def test_not_seen_by_the_last_import(fam, api):
    code = "not-seen-by-last-import"
    v = factories.variant(fam, "v")
    gone = factories.offering(v, api, "gone", listed=False, delisted_at=NOW)
    listing(gone, listed=False)
    gone_but_marked = factories.offering(v, api, "gone-deprecated", listed=False, status=Offering.Status.DEPRECATED)
    listing(gone_but_marked, listed=False)
    seen = factories.offering(v, api, "seen")
    listing(seen)
    factories.offering(v, api, "curated")  # no source ever listed it
    result = found(code)
    assert set(result) == {osub(gone)}
    assert "no longer listed by any source (models.dev since 2026-10-02)" in result[osub(gone)].message


@covers("source-import-stale")
def test_source_import_stale(fam, api):
    code = "source-import-stale"
    v = factories.variant(fam, "v")
    listing(factories.offering(v, api, "a"), source="models.dev")
    listing(factories.offering(v, api, "b"), source="litellm")
    import_run("models.dev", days_ago=120)
    import_run("models.dev", days_ago=3, status=ImportRun.Status.FAILED)
    import_run("litellm", days_ago=10)
    import_run("seed", days_ago=500)  # lists nothing: not watched
    result = found(code)
    assert set(result) == {"import:models.dev"}
    message = result["import:models.dev"].message
    assert "finished 120 days ago (the limit is 90 days); 1 listings rely on it" in message
    assert "The last attempt, on 2026-10-29, failed." in message
    assert "manage.py import_modelsdev" in message
    assert subjects_of(code, stale_days=365) == set()  # CATALOG_STALE_AFTER_DAYS, or the argument


def test_stale_after_days_comes_from_settings(settings, fam, api):
    listing(factories.offering(factories.variant(fam, "v"), api, "a"))
    import_run("models.dev", days_ago=40)
    settings.CATALOG_STALE_AFTER_DAYS = 30
    assert subjects_of("source-import-stale") == {"import:models.dev"}
    settings.CATALOG_STALE_AFTER_DAYS = 60
    assert subjects_of("source-import-stale") == set()


@covers("offering-not-checked")
def test_offering_not_checked(fam, api):
    code = "offering-not-checked"
    v = factories.variant(fam, "v")
    never = factories.offering(v, api, "never", "1", "2")
    old = factories.offering(v, api, "old", "1", "2", price_checked=datetime.date(2026, 1, 1))
    factories.offering(v, api, "recent", "1", "2", price_checked=datetime.date(2026, 10, 1))
    listing(factories.offering(v, api, "sourced", "1", "2"))
    factories.offering(v, api, "unpriced")  # price-missing's business
    result = found(code)
    assert set(result) == {osub(never), osub(old)}
    assert "never confirmed" in result[osub(never)].message
    assert "last confirmed 2026-01-01" in result[osub(old)].message


@covers("source-not-checked")
def test_source_not_checked(fam):
    code = "source-not-checked"
    never = Source.objects.create(family=fam, number=1, title="Paper", url="https://example.org/1")
    Source.objects.create(
        family=fam, number=2, title="Card", url="https://example.org/2", date_checked=datetime.date(2026, 10, 1)
    )
    old = Source.objects.create(
        family=fam, number=3, title="Blog", url="https://example.org/3", date_checked=datetime.date(2025, 1, 1)
    )
    result = found(code)
    assert set(result) == {f"source:{never.pk}", f"source:{old.pk}"}
    assert result[f"source:{never.pk}"].message.startswith("Source [1] of Acme, “Paper”, was never checked.")
    assert result[f"source:{never.pk}"].fix_url == reverse("admin:catalog_source_change", args=[never.pk])


# Lifecycle ----------------------------------------------------------------------------------------


@covers("ended-without-successor")
def test_ended_without_successor(fam):
    code = "ended-without-successor"
    new = factories.variant(fam, "new")
    orphan = factories.variant(fam, "orphan", status="deprecated")
    factories.variant(fam, "replaced", status="retired", retirement_date=datetime.date(2025, 1, 1), replaced_by=new)
    factories.variant(fam, "legacy", status="legacy")
    assert subjects_of(code) == {vsub(orphan)}


@covers("successor-ended")
def test_successor_ended(fam):
    code = "successor-ended"
    current = factories.variant(fam, "current")
    retired = factories.variant(
        fam, "retired", status="retired", retirement_date=datetime.date(2025, 1, 1), replaced_by=current
    )
    pointing_at_retired = factories.variant(fam, "old", status="legacy", replaced_by=retired)
    factories.variant(fam, "fine", status="legacy", replaced_by=current)
    result = found(code)
    assert set(result) == {vsub(pointing_at_retired)}
    assert "RETIRED is replaced by CURRENT" in result[vsub(pointing_at_retired)].message


@covers("retirement-date-passed")
def test_retirement_date_passed(fam):
    code = "retirement-date-passed"
    late = factories.variant(fam, "late", retirement_date=datetime.date(2026, 6, 1))
    factories.variant(fam, "soon", retirement_date=datetime.date(2027, 6, 1))
    factories.variant(fam, "done", status="retired", retirement_date=datetime.date(2026, 6, 1))
    result = found(code)
    assert set(result) == {vsub(late)}
    assert "was to retire on 2026-06-01 but is still marked current" in result[vsub(late)].message


@covers("ended-upstream")
def test_ended_upstream(fam, api):
    code = "ended-upstream"
    ended = factories.variant(fam, "ended")
    listing(factories.offering(ended, api, "ended-a", status=Offering.Status.DEPRECATED))
    listing(factories.offering(ended, factories.provider("p2", "P2"), "ended-b", listed=False), listed=False)
    alive = factories.variant(fam, "alive")
    listing(factories.offering(alive, api, "alive-a", status=Offering.Status.DEPRECATED))
    listing(factories.offering(alive, api, "alive-b"))
    curated = factories.variant(fam, "curated")
    factories.offering(curated, api, "curated-a", status=Offering.Status.DEPRECATED)
    legacy = factories.variant(fam, "legacy", status="legacy")
    listing(factories.offering(legacy, api, "legacy-a", status=Offering.Status.DEPRECATED))
    result = found(code)
    assert set(result) == {vsub(ended)}
    assert "none of its 2 offerings is available (1 deprecated and 1 no longer listed)" in result[vsub(ended)].message


# Matching and sources -----------------------------------------------------------------------------


@covers("ambiguous-match")
def test_ambiguous_match_until_a_curator_sets_the_family(fam, api):
    code = "ambiguous-match"
    doubtful, sure = factories.variant(fam, "doubtful"), factories.variant(fam, "sure")
    listing(
        factories.offering(doubtful, api, "doubtful"),
        match=Listing.Match.AMBIGUOUS,
        note="family hints differ: acme chosen over other",
    )
    listing(factories.offering(sure, api, "sure"))
    result = found(code)
    assert set(result) == {vsub(doubtful)}
    assert (
        "placed in Acme with doubt (family hints differ: acme chosen over other; 1 listing)"
        in result[vsub(doubtful)].message
    )
    FieldLock.objects.create(
        content_type=ContentType.objects.get_for_model(Variant), object_id=doubtful.pk, field="family", value=fam.pk
    )
    assert subjects_of(code) == set()


@covers("family-unattributed")
def test_family_unattributed_until_a_curator_names_the_creator(fam):
    code = "family-unattributed"
    nobody = Organization.objects.create(slug="unattributed", name="Unattributed")
    orphan = Family.objects.create(slug="orphan", name="Orphan", creator=nobody)
    result = found(code)
    assert set(result) == {f"family:{orphan.pk}"}
    assert result[f"family:{orphan.pk}"].message.startswith("Orphan has no creator")
    assert result[f"family:{orphan.pk}"].suggestion is None  # nothing points to a maker
    orphan.creator = fam.creator
    orphan.save()
    assert subjects_of(code) == set()


def test_family_unattributed_suggests_the_maker_its_ids_and_names_point_to(api):
    nobody = Organization.objects.create(slug="unattributed", name="Unattributed")
    by_namespace = Family.objects.create(slug="orphan", name="Orphan", creator=nobody)
    factories.offering(factories.variant(by_namespace, "orphan-1"), api, "meta-llama/orphan-1-8b")
    by_name = Family.objects.create(slug="odd", name="Odd", creator=nobody)
    factories.variant(by_name, "odd-llama", name="Llama Odd 8B", match_key="llama-odd-8b")
    unknown = Family.objects.create(slug="mystery", name="Mystery", creator=nobody)
    factories.variant(unknown, "mystery-1")
    result = found("family-unattributed")
    meta = {"action": "attribute", "creator": "meta", "creator_name": "Meta"}
    assert result[f"family:{by_namespace.pk}"].suggestion == meta
    assert "The evidence points to Meta (the id meta-llama/orphan-1-8b)" in result[f"family:{by_namespace.pk}"].message
    assert result[f"family:{by_name.pk}"].suggestion == meta
    assert result[f"family:{unknown.pk}"].suggestion is None


@covers("likely-same-model")
def test_likely_same_model_groups_one_creators_spellings_of_one_model(fam, api):
    code = "likely-same-model"
    big = factories.variant(fam, "acme-nemo", name="Acme Nemo", parameters=12 * 10**9)
    sized = factories.variant(fam, "acme-nemo-12b-instruct", name="Acme Nemo 12B Instruct", parameters=12 * 10**9)
    spelled = factories.variant(fam, "acme-2-5", name="Acme 2.5")
    respelled = factories.variant(
        factories.family("acme-v", "Acme V", creator=fam.creator), "acme-v2p5", name="acme-v2p5"
    )
    factories.offering(big, api, "acme/nemo")
    big.provider_count = 1
    big.save()
    # Not the same model: another size stated in the name, another parameter count, another context, another maker.
    factories.variant(fam, "acme-r1-671b", name="Acme R1 671B", parameters=671 * 10**9)
    factories.variant(fam, "acme-r1-8b", name="Acme R1 8B", parameters=671 * 10**9)  # a wrong count, not one model
    factories.variant(fam, "acme-nemo-large", name="Acme Nemo Large", parameters=70 * 10**9)
    factories.variant(fam, "acme-2-5-128k", name="Acme 2.5 128k")
    other_maker = factories.organization("other-lab", "Other Lab")
    factories.variant(factories.family("other", "Other", creator=other_maker), "acme-2-5", name="Acme 2.5")
    result = found(code)
    assert len(result) == 2
    nemo = next(item for item in result.values() if item.variant_id == big.pk)
    assert nemo.suggestion == {"action": "merge", "variants": [big.pk, sized.pk], "keep": big.pk}
    assert "2 variants by" in nemo.message and "12B parameters each" in nemo.message
    assert nemo.fix_url == f"/admin/catalog/variant/merge/?ids={big.pk},{sized.pk}"
    versions = next(item for item in result.values() if item.variant_id != big.pk)
    assert sorted(versions.suggestion["variants"]) == sorted([spelled.pk, respelled.pk])
    assert "once spellings are normalized" in versions.message


@covers("family-without-source")
def test_family_without_source(fam, seed):
    code = "family-without-source"
    factories.family("hidden", "Hidden", published=False)
    assert subjects_of(code) == {f"family:{fam.pk}"}  # the seed's families cite sources


@covers("citation-points-nowhere")
def test_citation_points_nowhere(fam, seed):
    code = "citation-points-nowhere"
    assert subjects_of(code) == set()  # the seed's [1][2][6] all exist
    Source.objects.create(family=fam, number=1, title="Paper", url="https://example.org/1")
    fam.about = "Acme is fast [1][4]. See [link](https://example.org) and [x]."
    fam.save()
    FAQEntry.objects.create(family=fam, question="Why?", answer="Because [9].")
    result = found(code)
    assert set(result) == {f"family:{fam.pk}"}
    assert result[f"family:{fam.pk}"].message.startswith("Acme's FAQ and about text cites [4], [9], but it has no")


# --- Findings: kept, dismissed, reopened, resolved -------------------------------------------------


def contradictions():
    return Finding.objects.filter(rule="modalities-contradict-family")


def test_findings_are_kept_and_a_dismissal_holds_until_the_data_changes(seed, admin_user):
    report = quality.run_checks(now=NOW)
    summary = {s.rule.code: s for s in report.summaries}["modalities-contradict-family"]
    assert (summary.found, summary.open, summary.new) == (3, 3, 3)
    assert {f.variant.name for f in contradictions()} == LLAVA_TEXT_ONLY
    vicuna = contradictions().get(variant__slug="llava-vicuna-13b")
    assert (vicuna.family.slug, vicuna.state, vicuna.severity) == ("llava", "open", Finding.Severity.ERROR)

    quality.dismiss(Finding.objects.filter(pk=vicuna.pk), "Vicuna 13B is the text-only baseline.", admin_user)
    quality.run_checks(now=NOW)
    vicuna.refresh_from_db()
    assert (vicuna.state, vicuna.dismissed_reason, vicuna.dismissed_by) == (
        "dismissed",
        "Vicuna 13B is the text-only baseline.",
        admin_user,
    )

    variant = vicuna.variant
    variant.input_modalities = ["text", "audio"]  # the data changes: the finding comes back
    variant.save()
    report = quality.run_checks(now=NOW)
    vicuna.refresh_from_db()
    assert vicuna.state == "open"
    assert {s.rule.code: s for s in report.summaries}["modalities-contradict-family"].reopened == 1
    assert vicuna.dismissed_reason  # kept: the curator sees why it was dismissed before

    variant.input_modalities = ["text", "image"]  # fixed: the finding is resolved
    variant.save()
    quality.run_checks(now=NOW)
    vicuna.refresh_from_db()
    assert (vicuna.state, vicuna.resolved_at) == ("resolved", NOW)
    assert contradictions().filter(state="open").count() == 2


def test_a_second_run_writes_nothing(seed):
    quality.run_checks(now=NOW)
    before = sorted(Finding.objects.values_list("pk", "changed_at", "state"))
    with CaptureQueriesContext(connection) as queries:
        quality.run_checks(now=NOW)
    assert sorted(Finding.objects.values_list("pk", "changed_at", "state")) == before
    assert not [q for q in queries.captured_queries if q["sql"].startswith(("INSERT", "UPDATE", "DELETE"))]


def test_dismissing_needs_a_reason_and_reopen_undoes_it(seed):
    quality.run_checks(now=NOW)
    with pytest.raises(ValueError):
        quality.dismiss(contradictions(), "  ")
    assert quality.dismiss(contradictions(), "checked") == 3
    assert quality.reopen(contradictions()) == 3
    quality.run_checks(now=NOW)
    assert set(contradictions().values_list("state", flat=True)) == {"open"}


def test_dry_run_writes_nothing_and_old_rules_are_cleaned_up(seed):
    report = quality.run_checks(now=NOW, dry_run=True)
    assert report.open > 0 and not Finding.objects.exists()
    Finding.objects.create(
        rule="a-rule-since-removed",
        severity=10,
        subject="family:1",
        message="m",
        fingerprint="f",
        first_seen_at=NOW,
        changed_at=NOW,
    )
    report = quality.run_checks(now=NOW)
    assert report.removed_rules == ["a-rule-since-removed"]
    assert not Finding.objects.filter(rule="a-rule-since-removed").exists()


def test_findings_follow_deleted_records(seed):
    quality.run_checks(now=NOW)
    Variant.objects.get(slug="llava-vicuna-13b").delete()
    assert contradictions().count() == 2


def build_catalog(size: int):
    """A catalog with something for every area of rules, `size` times over."""
    fam = factories.family(f"fam-{size}", f"Fam {size}", about="Cites [1] and [2].")
    Source.objects.create(family=fam, number=1, title="S", url="https://example.org/s")
    fam.family_tags.create(
        tag=Tag.objects.get_or_create(kind=Tag.Kind.USE_CASE, slug="vision", defaults={"name": "vision work"})[0]
    )
    api, other = factories.provider(), factories.provider("other", "Other")
    import_run("models.dev", days_ago=200)
    for i in range(size):
        v = factories.variant(
            fam, f"v{i}", input_modalities=["text"], open_weights=True, retirement_date=datetime.date(2026, 1, 1)
        )
        a = factories.offering(v, api, f"{size}-a{i}", "0", "0.1")
        b = factories.offering(v, other, f"{size}-b{i}", "5", "10", status=Offering.Status.DEPRECATED)
        listing(a, match=Listing.Match.AMBIGUOUS, price_input="1")
        listing(b, listed=False)
        Disagreement.objects.create(
            offering=a, field="price_output", values={"models.dev": "0.1", "litellm": "9"}, detected_at=NOW
        )


def test_all_rules_run_in_a_fixed_number_of_queries():
    counts = []
    for size in (3, 30):
        build_catalog(size)
        Finding.objects.all().delete()
        with CaptureQueriesContext(connection) as first:
            report = quality.run_checks(now=NOW)
        with CaptureQueriesContext(connection) as second:
            quality.run_checks(now=NOW)
        counts.append((len(first), len(second)))
        assert report.found >= 6 * size  # most rules find something in every variant
    assert counts[0] == counts[1], counts
    assert counts[1][0] <= 25


# --- check_data ------------------------------------------------------------------------------------


def check_data(*args):
    out = io.StringIO()
    call_command("check_data", *args, stdout=out)
    return out.getvalue()


def test_check_data_prints_a_summary_and_fails_on_severity(seed):
    out = check_data()
    assert "modalities-contradict-family   Error         3         0      3        0" in out
    assert "rules," in out and "open (3 error," in out
    with pytest.raises(CommandError, match="3 open findings at or above error"):
        check_data("--fail-on", "error")
    quality.dismiss(contradictions(), "The seed's text-only baselines.")
    check_data("--fail-on", "error")  # nothing open at error any more
    with pytest.raises(CommandError, match="at or above info"):
        check_data("--fail-on", "info")


def test_check_data_options(seed):
    out = check_data("--rule", "missing-specs", "--dry-run")
    assert "missing-specs" in out and "modalities-contradict-family" not in out
    assert "Dry run" in out and not Finding.objects.exists()
    with pytest.raises(CommandError, match="unknown rule nope"):
        check_data("--rule", "nope")
    listed = check_data("--list")
    assert all(code in listed for code in quality.RULES)
    verbose = io.StringIO()
    call_command("check_data", verbosity=2, stdout=verbose)
    assert "[error] modalities-contradict-family variant:" in verbose.getvalue()


def test_check_data_after_an_import_finds_ambiguous_and_delisted_offerings(tmp_path, seed):
    from tests.catalog.test_import_modelsdev import model, provider, run, write

    api = {
        "anthropic": provider("anthropic", "Anthropic", [model("claude-opus-4-1", "Claude Opus 4.1", "claude-opus")]),
        "openrouter": provider(
            "openrouter",
            "OpenRouter",
            [
                model("anthropic/claude-opus-4.1", "Claude Opus 4.1", "claude"),
                model("meta-llama/llama-3.1-8b-instruct", "Llama 3.1 8B", None, open_weights=True),
            ],
        ),
    }
    run(write(tmp_path, api))
    check_data()
    opus = Variant.objects.get(match_key="claude-opus-4-1")
    assert Finding.objects.get(rule="ambiguous-match", variant=opus).state == "open"
    llama = Variant.objects.get(match_key="llama-3-1-8b")
    assert (llama.parameters, llama.parameters_source) == (8_000_000_000, "name")  # read from its id

    del api["openrouter"]["models"]["meta-llama/llama-3.1-8b-instruct"]
    run(write(tmp_path, api))
    check_data()
    gone = Offering.objects.get(model_id="meta-llama/llama-3.1-8b-instruct")
    assert Finding.objects.get(rule="not-seen-by-last-import", offering=gone).state == "open"
    llama.refresh_from_db()
    assert llama.status == "unlisted"  # no source lists it: no longer shown as current


# --- Admin ---------------------------------------------------------------------------------------


def changelist(client, **params):
    return client.get(reverse("admin:catalog_finding_changelist"), params)


def test_admin_lists_open_findings_with_filters_and_counts(admin_client, seed):
    quality.run_checks(now=NOW)
    one = Finding.objects.filter(rule="source-not-checked").first()
    quality.dismiss(Finding.objects.filter(pk=one.pk), "ok")
    response = changelist(admin_client)
    assert response.status_code == 200
    shown = list(response.context["cl"].result_list)
    assert {f.state for f in shown} == {"open"}
    assert shown[0].severity == Finding.Severity.ERROR  # worst first
    html = response.content.decode()
    assert "Modalities contradict the family (3)" in html
    assert "Dismissed (1)" in html and "Open (" in html
    llava = Family.objects.get(slug="llava")
    assert "LLaVA (" in html

    by_rule = changelist(admin_client, rule="modalities-contradict-family")
    assert len(by_rule.context["cl"].result_list) == 3
    by_severity = changelist(admin_client, severity__exact=Finding.Severity.INFO)
    assert {f.rule for f in by_severity.context["cl"].result_list} == {"source-not-checked"}
    by_family = changelist(admin_client, family=llava.pk, rule="modalities-contradict-family")
    assert {f.variant.name for f in by_family.context["cl"].result_list} == LLAVA_TEXT_ONLY
    dismissed = changelist(admin_client, state="dismissed")
    assert len(dismissed.context["cl"].result_list) == 1
    everything = changelist(admin_client, state="all")
    assert len(everything.context["cl"].result_list) == Finding.objects.count()
    assert changelist(admin_client, state="bogus", family="x").status_code == 200


def test_badge_on_family_and_variant_change_forms(admin_client, seed):
    quality.run_checks(now=NOW)
    llava = Family.objects.get(slug="llava")
    html = admin_client.get(reverse("admin:catalog_family_change", args=[llava.pk])).content.decode()
    assert 'class="quality-badge quality-has-open"' in html
    assert '<span class="quality-severity quality-error">3 error</span>' in html
    assert "LLaVA Vicuna 13B takes text input only" in html
    vicuna = Variant.objects.get(slug="llava-vicuna-13b")
    response = admin_client.get(reverse("admin:catalog_variant_change", args=[vicuna.pk]))
    html = response.content.decode()
    assert response.context["quality_badge"].open_count == 2  # and its missing context window
    assert "LLaVA Vicuna 13B takes text input only" in html and "LLaVA Llama 2 7B takes" not in html
    finding = contradictions().get(variant=vicuna)
    assert reverse("admin:catalog_finding_dismiss", args=[finding.pk]) in html
    assert "bounded_links" in response.context  # the shared change form keeps its own content
    listed = admin_client.get(response.context["quality_badge"].list_url)
    assert {f.variant_id for f in listed.context["cl"].result_list} == {vicuna.pk}
    family_badge = admin_client.get(reverse("admin:catalog_family_change", args=[llava.pk])).context["quality_badge"]
    listed = admin_client.get(family_badge.list_url)
    assert len(listed.context["cl"].result_list) == Finding.objects.filter(family=llava).count() > 3
    fine = Variant.objects.get(slug="llava-1-5-7b")
    html = admin_client.get(reverse("admin:catalog_variant_change", args=[fine.pk])).content.decode()
    assert "Data quality:" in html and "no open findings" in html


def test_dismiss_action_asks_for_a_reason(admin_client, seed, admin_user):
    quality.run_checks(now=NOW)
    url = reverse("admin:catalog_finding_changelist")
    pks = [str(pk) for pk in contradictions().values_list("pk", flat=True)]
    data = {"action": "dismiss_findings", "_selected_action": pks}
    response = admin_client.post(url, data)
    assert response.status_code == 200 and "Dismiss 3 open findings?" in response.content.decode()
    response = admin_client.post(url, {**data, "apply": "Dismiss", "reason": ""})
    assert response.status_code == 200 and response.context["form"].errors
    assert not contradictions().filter(state="dismissed").exists()
    response = admin_client.post(url, {**data, "apply": "Dismiss", "reason": "Text-only baselines."}, follow=True)
    assert "3 findings dismissed." in [str(m) for m in response.context["messages"]]
    assert set(contradictions().values_list("state", "dismissed_reason", "dismissed_by")) == {
        ("dismissed", "Text-only baselines.", admin_user.pk)
    }

    quality.run_checks(now=NOW)  # stays dismissed: the data has not changed
    assert set(contradictions().values_list("state", flat=True)) == {"dismissed"}
    admin_client.post(f"{url}?state=dismissed", {"action": "reopen_findings", "_selected_action": pks})
    assert set(contradictions().values_list("state", flat=True)) == {"open"}


def test_dismiss_one_finding_from_the_badge(admin_client, seed):
    quality.run_checks(now=NOW)
    finding = contradictions().first()
    back = reverse("admin:catalog_variant_change", args=[finding.variant_id])
    url = reverse("admin:catalog_finding_dismiss", args=[finding.pk])
    assert admin_client.get(url, {"next": back}).status_code == 200
    response = admin_client.post(url, {"apply": "Dismiss", "reason": "Checked the paper.", "next": back})
    assert response.status_code == 302 and response["Location"] == back
    finding.refresh_from_db()
    assert (finding.state, finding.dismissed_reason) == ("dismissed", "Checked the paper.")
    response = admin_client.post(url, {"apply": "Dismiss", "reason": "x", "next": "https://evil.example/"})
    assert response["Location"] == reverse("admin:catalog_finding_changelist")
    view = admin_client.get(reverse("admin:catalog_finding_change", args=[finding.pk]))
    assert view.status_code == 200 and "Checked the paper." in view.content.decode()


def test_run_checks_now_from_the_admin(admin_client, seed):
    url = reverse("admin:catalog_finding_run")
    assert admin_client.get(url).status_code == 302 and not Finding.objects.exists()
    response = admin_client.post(url, follow=True)
    assert contradictions().count() == 3
    assert any("Checked the catalog" in str(m) for m in response.context["messages"])


def test_only_curators_who_may_change_findings_dismiss_them(client, seed):
    quality.run_checks(now=NOW)
    viewer = User.objects.create_user("viewer", password="pw", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_finding"))
    client.force_login(viewer)
    finding = contradictions().first()
    assert client.get(reverse("admin:catalog_finding_changelist")).status_code == 200
    assert client.get(reverse("admin:catalog_finding_dismiss", args=[finding.pk])).status_code == 403
    assert client.post(reverse("admin:catalog_finding_run")).status_code == 403
    viewer.user_permissions.add(Permission.objects.get(codename="change_finding"))
    assert client.get(reverse("admin:catalog_finding_dismiss", args=[finding.pk])).status_code == 200


def test_admin_pages_queries_do_not_grow_with_findings(admin_client):
    build_catalog(3)
    quality.run_checks(now=NOW)
    fam = Family.objects.get(slug="fam-3")
    variant = fam.variants.first()
    urls = [
        reverse("admin:catalog_finding_changelist"),
        reverse("admin:catalog_family_change", args=[fam.pk]),
        reverse("admin:catalog_variant_change", args=[variant.pk]),
    ]
    before = []
    for url in urls:
        admin_client.get(url)
        with CaptureQueriesContext(connection) as queries:
            admin_client.get(url)
        before.append(len(queries))
    for i in range(20):
        other = factories.family(f"more-{i}", f"More {i}")
        factories.variant(other, f"more-{i}", input_modalities=["text"])
    quality.run_checks(now=NOW)
    after = []
    for url in urls:
        with CaptureQueriesContext(connection) as queries:
            admin_client.get(url)
        after.append(len(queries))
    assert after == before


# --- Visitors --------------------------------------------------------------------------------------


def test_family_page_notes_unverified_values_until_a_curator_checks_them(client, seed):
    quality.run_checks(now=NOW)
    html = client.get("/families/llava/").content.decode()
    assert "3 values on this page are unverified." in html
    assert "Vision support of LLaVA Vicuna 13B is unverified" in html
    quality.dismiss(contradictions(), "Checked: text-only baselines.")
    html = client.get("/families/llava/").content.decode()
    assert "data-notes" not in html


def test_pages_show_disputed_values_side_by_side(client, seed):
    llava = Variant.objects.get(slug="llava-13b")
    api = factories.provider("api", "Some API")
    offering = factories.offering(llava, api, "llava-13b", "0.1", "0.3")
    Disagreement.objects.create(
        offering=offering, field="price_input", values={"litellm": "0.12", "models.dev": "0.1"}, detected_at=NOW
    )
    Disagreement.objects.create(
        offering=offering, field="context_window", values={"litellm": 4096, "models.dev": 8192}, detected_at=NOW
    )
    notes = quality_selectors.page_notes(variant_id=llava.pk)
    assert notes.sources == ["LiteLLM", "models.dev"]
    assert [(d.field, d.values) for d in notes.disputes] == [
        ("context window", ["4,096 tokens", "8,192 tokens"]),
        ("input price", ["$0.12", "$0.10"]),
    ]
    assert quality_selectors.page_notes(family_id=llava.family_id).disputes == notes.disputes
    html = client.get("/families/llava/").content.decode()
    assert "2 values on this page are disputed between sources." in html
    assert '<th scope="col">LiteLLM</th><th scope="col">models.dev</th>' in html
    assert '<td class="num">$0.12</td><td class="num">$0.10</td>' in html
    response = client.get(llava.get_absolute_url())
    assert response.status_code == 200
    assert '<td class="num">$0.12</td><td class="num">$0.10</td>' in response.content.decode()


def test_no_note_where_nothing_is_disputed_or_unverified(client, seed):
    assert not quality_selectors.page_notes(family_id=Family.objects.get(slug="llava-1-5").pk)
    assert "data-notes" not in client.get("/families/llava-1-5/").content.decode()


def test_the_note_costs_one_query_whatever_it_says(client, seed):
    def count(url):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    quiet = count("/families/llava-1-5/")
    quality.run_checks(now=NOW)
    variant = Variant.objects.get(slug="llava-1-5-7b")
    offering = factories.offering(variant, factories.provider("api", "API"), "l15", "1", "2")
    for field in ("price_input", "price_output", "context_window"):
        Disagreement.objects.create(offering=offering, field=field, values={"a": 1, "b": 2}, detected_at=NOW)
    assert count("/families/llava-1-5/") == quiet
    with CaptureQueriesContext(connection) as queries:
        quality_selectors.page_notes(family_id=variant.family_id)
    assert len(queries) == 1


# --- Done when: on the seed, found, shown in the admin, dismissable --------------------------------


def test_seed_contradiction_is_found_shown_and_dismissable(admin_client, seed):
    out = check_data()
    assert "modalities-contradict-family   Error         3" in out
    response = changelist(admin_client, rule="modalities-contradict-family")
    assert {f.variant.name for f in response.context["cl"].result_list} == LLAVA_TEXT_ONLY
    pks = [str(f.pk) for f in response.context["cl"].result_list]
    admin_client.post(
        reverse("admin:catalog_finding_changelist"),
        {
            "action": "dismiss_findings",
            "_selected_action": pks,
            "apply": "Dismiss",
            "reason": "The seed lists these as text-only; verified against the model zoo.",
        },
    )
    out = check_data("--fail-on", "error")
    assert "modalities-contradict-family   Error         0         3" in out
