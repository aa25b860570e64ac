"""Every admin write goes through the curation services: each test checks locks, history, summaries and the
cache version together, so that none of the four can drift from the others."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from catalog.models import FieldLock, Finding, ImportRun, Listing, Offering, PriceRecord, Variant, VariantAlias
from catalog.services import page_cache, summaries, variant_merge
from tests import factories
from tests.html import form_data, visible_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def curator(client):
    user = User.objects.create_superuser("ada", "ada@example.org", "x")
    client.force_login(user)
    return user


@pytest.fixture
def world():
    fam = factories.family("acme", "Acme")
    large = factories.variant(fam, "acme-large", "Acme Large", context_window=128_000, match_key="acme-large")
    small = factories.variant(fam, "acme-small", "Acme Small", context_window=8_000, match_key="acme-small-v1")
    cloudy, rainy = factories.provider("cloudy", "Cloudy"), factories.provider("rainy", "Rainy")
    a = factories.offering(large, cloudy, "acme/large", 3, 15)
    b = factories.offering(small, cloudy, "acme/small", 1, 2)
    c = factories.offering(small, rainy, "rainy/acme-small", "0.5", 4)
    now = datetime.datetime(2026, 11, 1, tzinfo=datetime.UTC)
    run = ImportRun.objects.create(
        source="models.dev", dataset="api.json", started_at=now, finished_at=now, status=ImportRun.Status.SUCCEEDED
    )
    for offering in (a, b, c):
        Listing.objects.create(
            source="models.dev",
            key=f"{offering.provider.slug}/{offering.model_id}",
            offering=offering,
            values={},
            first_seen_at=now,
            changed_at=now,
            last_run=run,
        )
        factories.price_record(offering, now, offering.price_input, offering.price_output, source="models.dev")
    summaries.refresh()
    return {"large": large, "small": small, "a": a, "b": b, "c": c, "cloudy": cloudy, "rainy": rainy}


def summaries_consistent() -> bool:
    """Every variant's stored offer summary is what its offerings say now."""
    wanted = summaries.compute()
    return all(
        (v.provider_count, v.price_in_min, v.price_out_min) == wanted.get(v.pk, (0, None, None))
        for v in Variant.objects.all()
    )


def locks_of(obj) -> dict:
    return dict(
        FieldLock.objects.filter(content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk).values_list(
            "field", "value"
        )
    )


@pytest.fixture
def version(django_capture_on_commit_callbacks):
    """Run a write with its on-commit callbacks, and say whether it bumped the catalog version."""

    def run(write):
        before = page_cache.current_version()
        with django_capture_on_commit_callbacks(execute=True):
            result = write()
        return result, page_cache.current_version() > before

    return run


def post_change_form(client, url, **changes):
    data = form_data(client.get(url).content.decode())
    data.update({name: [value] for name, value in changes.items()})
    response = client.post(url, {k: v if len(v) > 1 else v[0] for k, v in data.items()})
    assert response.status_code == 302, visible_text(response.content.decode())[:2000]
    return response


# --- Single edit, inline edit ---------------------------------------------------------------------


def test_single_edit_locks_records_a_version_keeps_summaries_and_bumps(client, curator, world, version):
    small = world["small"]
    url = reverse("admin:catalog_variant_change", args=[small.pk])
    _, bumped = version(lambda: post_change_form(client, url, context_window="32000"))
    assert locks_of(small) == {"context_window": 32000}
    latest = small.history.latest()
    assert (latest.context_window, latest.history_user, latest.history_type) == (32000, curator, "~")
    assert summaries_consistent() and bumped


def test_moving_an_offering_to_another_variant_refreshes_both_summaries(client, curator, world, version):
    offering, small, large = world["c"], world["small"], world["large"]
    url = reverse("admin:catalog_offering_change", args=[offering.pk])
    _, bumped = version(lambda: post_change_form(client, url, variant=str(large.pk)))
    small.refresh_from_db()
    large.refresh_from_db()
    assert (small.provider_count, small.price_in_min) == (1, Decimal(1))  # no longer Rainy's 0.50
    assert (large.provider_count, large.price_in_min) == (2, Decimal("0.5"))
    assert locks_of(offering) == {"variant": large.pk}
    assert offering.history.latest().variant_id == large.pk and offering.history.latest().history_user == curator
    assert summaries_consistent() and bumped


def test_inline_price_edit_keeps_price_history_locks_and_summaries(client, curator, world, version):
    small, offering = world["small"], world["c"]
    url = reverse("admin:catalog_variant_change", args=[small.pk])
    data = form_data(client.get(url).content.decode())
    index = next(k.split("-")[1] for k, v in data.items() if k.endswith("-id") and v == [str(offering.pk)])
    prefix = next(k.rsplit("-", 2)[0] for k in data if k.endswith(f"-{index}-id"))
    data[f"{prefix}-{index}-price_input"] = ["0.25"]
    _, bumped = version(lambda: client.post(url, {k: v if len(v) > 1 else v[0] for k, v in data.items()}))
    offering.refresh_from_db()
    small.refresh_from_db()
    assert offering.price_input == Decimal("0.25")
    assert locks_of(offering) == {"price_input": "0.25"}
    assert offering.history.latest().history_user == curator
    assert PriceRecord.objects.filter(offering=offering, valid_to__isnull=True).get().price_input == Decimal("0.25")
    assert small.price_in_min == Decimal("0.25")
    assert summaries_consistent() and bumped


# --- Bulk actions ---------------------------------------------------------------------------------


def test_bulk_status_action_records_history_locks_and_bumps(client, curator, world, version):
    large, small = world["large"], world["small"]
    url = reverse("admin:catalog_variant_changelist")
    response, bumped = version(
        lambda: client.post(url, {"action": "mark_legacy", "_selected_action": [large.pk, small.pk]}, follow=True)
    )
    assert "2 variants marked as legacy." in [str(m) for m in response.context["messages"]]
    for variant in (large, small):
        latest = variant.history.latest()
        assert (latest.status, latest.history_user, latest.history_type) == ("legacy", curator, "~")
        assert locks_of(variant) == {"status": "legacy"}
    assert summaries_consistent() and bumped
    text = visible_text(client.get(reverse("admin:catalog_variant_history", args=[large.pk])).content.decode())
    assert "ada" in text and "legacy" in text.lower()


def test_release_locks_action_lets_imports_update_again(client, curator, world, version):
    small = world["small"]
    post_change_form(client, reverse("admin:catalog_variant_change", args=[small.pk]), context_window="32000")
    versions = small.history.count()
    lock = FieldLock.objects.get(object_id=small.pk, field="context_window")
    url = reverse("admin:catalog_fieldlock_changelist")
    response, _ = version(
        lambda: client.post(url, {"action": "release_locks", "_selected_action": [lock.pk]}, follow=True)
    )
    assert "1 lock released." in [str(m) for m in response.context["messages"]]
    assert locks_of(small) == {}
    assert small.history.count() == versions  # the record itself did not change
    assert summaries_consistent()


def test_dismiss_and_reopen_findings_change_no_catalog_record(client, curator, world, version):
    now = datetime.datetime(2026, 11, 1, tzinfo=datetime.UTC)
    finding = Finding.objects.create(
        rule="price-missing",
        severity=Finding.Severity.WARNING,
        subject="x:1",
        variant=world["small"],
        message="No price.",
        fingerprint="f",
        first_seen_at=now,
        changed_at=now,
    )
    url = reverse("admin:catalog_finding_changelist")
    versions = Variant.history.count()
    _, bumped = version(
        lambda: client.post(
            url, {"action": "dismiss_findings", "_selected_action": [finding.pk], "apply": "1", "reason": "Free model."}
        )
    )
    finding.refresh_from_db()
    assert finding.state == Finding.State.DISMISSED and finding.dismissed_by == curator
    assert bumped  # a finding's public note may leave a page
    client.post(url + "?state=all", {"action": "reopen_findings", "_selected_action": [finding.pk]})
    finding.refresh_from_db()
    assert finding.state == Finding.State.OPEN
    assert Variant.history.count() == versions and not FieldLock.objects.exists() and summaries_consistent()


# --- Revert ---------------------------------------------------------------------------------------


def test_revert_of_the_first_edit_of_an_imported_record(client, curator, seed, version):
    variant = Variant.objects.get(slug="llava-13b")
    baseline = variant.history.get()  # loaded records have their first version
    assert baseline.history_type == "+" and baseline.history_change_reason.startswith("import run ")
    post_change_form(client, reverse("admin:catalog_variant_change", args=[variant.pk]), context_window="777800")
    url = reverse("admin:catalog_variant_simple_history", args=[variant.pk, baseline.history_id])
    _, bumped = version(lambda: post_change_form(client, url))
    variant.refresh_from_db()
    assert variant.context_window == 4096
    latest = variant.history.latest()
    assert latest.history_user == curator
    assert latest.history_change_reason.startswith(f"revert to version {baseline.history_id}")
    assert locks_of(variant) == {"context_window": 4096}
    assert summaries_consistent() and bumped


# --- Merge and split ------------------------------------------------------------------------------


def test_merge_moves_offerings_listings_locks_aliases_and_references(curator, world, version):
    large, small = world["large"], world["small"]
    fam = large.family
    newer = factories.variant(fam, "acme-small-2", replaced_by=None)
    old = factories.variant(fam, "acme-tiny", replaced_by=small, status="legacy")
    VariantAlias.objects.create(alias="acme-small-latest", variant=small)
    variant_type = ContentType.objects.get_for_model(Variant)
    FieldLock.objects.create(content_type=variant_type, object_id=small.pk, field="license", value="MIT")
    FieldLock.objects.create(content_type=variant_type, object_id=small.pk, field="context_window", value=8000)
    FieldLock.objects.create(content_type=variant_type, object_id=large.pk, field="context_window", value=128000)
    small_pk, small_versions = small.pk, small.history.count()

    report, bumped = version(lambda: variant_merge.merge_variants(large, small, by=curator))

    assert report.offerings == 2
    assert set(large.offerings.values_list("model_id", flat=True)) == {"acme/large", "acme/small", "rainy/acme-small"}
    assert Listing.objects.filter(offering__variant=large).count() == 3
    assert PriceRecord.objects.filter(offering__variant=large).count() == 3  # price history went with them
    assert not Variant.objects.filter(pk=small_pk).exists()
    assert locks_of(large) == {"context_window": 128000, "license": "MIT"}
    assert dict(VariantAlias.objects.values_list("alias", "variant_id")) == {
        "acme-small-latest": large.pk,
        "acme-small-v1": large.pk,
        "acme-small": large.pk,
    }
    old.refresh_from_db()
    assert old.replaced_by_id == large.pk
    assert newer.replaced_by_id is None
    # History: the absorbed variant's versions stay (with a last one saying where it went); the kept one's says why.
    absorbed = Variant.history.filter(id=small_pk).order_by("history_date", "history_id")
    assert absorbed.count() == small_versions + 1 and absorbed.last().history_type == "-"
    assert "merged into variant" in absorbed.last().history_change_reason
    assert large.history.latest().history_user == curator
    assert "acme-small" in large.history.latest().history_change_reason
    moved = Offering.history.filter(id=world["c"].pk).latest()
    assert moved.variant_id == large.pk and moved.history_user == curator
    large.refresh_from_db()
    assert (large.provider_count, large.price_in_min) == (2, Decimal("0.5"))
    assert summaries_consistent() and bumped


def test_merge_refuses_a_variant_into_itself(world):
    with pytest.raises(variant_merge.MergeError):
        variant_merge.merge_variants(world["large"], world["large"])


def test_merge_action_in_the_admin(client, curator, world, version):
    large, small = world["large"], world["small"]
    url = reverse("admin:catalog_variant_changelist")
    page = client.post(url, {"action": "merge_variants", "_selected_action": [large.pk, small.pk]})
    assert page.status_code == 200 and "Choose the variant to keep" in page.content.decode()
    response, bumped = version(
        lambda: client.post(
            url, {"action": "merge_variants", "apply": "1", "keep": large.pk, "_selected_action": [large.pk, small.pk]}
        )
    )
    assert response.status_code == 302 and response.url == reverse("admin:catalog_variant_change", args=[large.pk])
    assert not Variant.objects.filter(pk=small.pk).exists()
    assert large.offerings.count() == 3 and summaries_consistent() and bumped
    assert VariantAlias.objects.filter(alias="acme-small-v1", variant=large).exists()


def test_split_moves_chosen_offerings_to_a_new_variant(client, curator, world, version):
    small, c = world["small"], world["c"]
    url = reverse("admin:catalog_variant_split", args=[small.pk])
    assert client.get(url).status_code == 200
    assert url in client.get(reverse("admin:catalog_variant_change", args=[small.pk])).content.decode()
    bad = client.post(url, {"name": "", "offering": [c.pk]})
    assert bad.status_code == 400 and "needs a name" in bad.content.decode()
    response, bumped = version(lambda: client.post(url, {"name": "Acme Small (Rainy)", "offering": [c.pk]}))
    assert response.status_code == 302
    new = Variant.objects.get(slug="acme-small-rainy")
    assert (new.family_id, new.context_window) == (small.family_id, small.context_window)
    assert list(new.offerings.values_list("pk", flat=True)) == [c.pk]
    assert Listing.objects.get(offering=c).offering.variant_id == new.pk
    assert PriceRecord.objects.filter(offering=c).exists()
    assert new.history.get().history_type == "+" and "split from" in new.history.get().history_change_reason
    assert small.history.latest().history_user == curator
    small.refresh_from_db()
    new.refresh_from_db()
    assert (small.provider_count, new.provider_count) == (1, 1)
    assert summaries_consistent() and bumped


def test_a_merge_survives_the_next_import(db):
    from django.core.management import call_command

    sample = __import__("pathlib").Path(__file__).parent.parent / "fixtures" / "litellm_sample.json"
    call_command("import_litellm", str(sample), stdout=open("/dev/null", "w"))
    keep, absorb = list(Variant.objects.filter(offerings__isnull=False).distinct().order_by("pk")[:2])
    absorbed_offerings = set(absorb.offerings.values_list("pk", flat=True))
    variants = Variant.objects.count()
    variant_merge.merge_variants(keep, absorb)
    call_command("import_litellm", str(sample), stdout=open("/dev/null", "w"))
    assert Variant.objects.count() == variants - 1
    assert not Variant.objects.filter(family=absorb.family, slug=absorb.slug).exists()
    assert absorbed_offerings <= set(keep.offerings.values_list("pk", flat=True))


def test_a_merged_variants_page_redirects_to_the_one_kept(client, world):
    large, small = world["large"], world["small"]
    old_url = small.get_absolute_url()
    variant_merge.merge_variants(large, small)
    response = client.get(old_url)
    assert response.status_code == 301 and response.url == large.get_absolute_url()
    assert client.get("/families/acme/never-existed/").status_code == 404


# --- Work-queue suggestions: one action fixes a group ------------------------------------------------


def test_attribute_action_sets_the_creator_with_history_locks_rows_and_bumps(client, curator, world, version):
    from catalog.models import Family, Organization, VariantRow
    from catalog.services import quality

    nobody = Organization.objects.create(slug="unattributed", name="Unattributed")
    orphans = [factories.family(f"orphan-{n}", f"Orphan {n}", creator=nobody) for n in range(3)]
    for n, orphan in enumerate(orphans):
        factories.offering(factories.variant(orphan, f"orphan-{n}-v"), world["cloudy"], f"meta-llama/orphan-{n}")
    mystery = factories.family("mystery", "Mystery", creator=nobody)
    summaries.refresh()
    quality.run_checks(["family-unattributed"])
    findings = Finding.objects.filter(rule="family-unattributed", suggestion__creator="meta")
    assert findings.count() == 3
    queue = client.get(reverse("admin:catalog_finding_queue")).content.decode()
    assert "Attribute these 3 families to Meta" in visible_text(queue)
    assert "Attribute families to their creator: 3" in visible_text(queue)  # the count per curator action

    url = reverse("admin:catalog_finding_attribute")
    post = {"creator": "meta", "finding": list(findings.values_list("pk", flat=True))}
    response, bumped = version(lambda: client.post(url, post, follow=True))
    assert "3 families attributed to Meta." in [str(m) for m in response.context["messages"]]
    meta = Organization.objects.get(slug="meta")
    for orphan in orphans:
        orphan.refresh_from_db()
        assert orphan.creator_id == meta.pk
        assert locks_of(orphan) == {"creator": meta.pk}
        latest = orphan.history.latest()
        assert (latest.creator_id, latest.history_user, latest.history_type) == (meta.pk, curator, "~")
    assert set(VariantRow.objects.filter(family_slug__startswith="orphan-").values_list("creator_slug", flat=True)) == {
        "meta"
    }
    assert Family.objects.get(pk=mystery.pk).creator_id == nobody.pk  # no suggestion: untouched
    assert not Finding.objects.filter(
        rule="family-unattributed", state=Finding.State.OPEN, family__in=orphans
    ).exists()  # the findings closed on commit
    assert summaries_consistent() and bumped


def test_an_attribution_survives_the_next_import(curator, seed, tmp_path):
    """Our format's import updates a family's creator: the curator's lock keeps the attribution."""
    from django.core.management import call_command

    from catalog.models import Family
    from catalog.services import curation

    exported = tmp_path / "catalog.json"
    call_command("export_catalog", str(exported), stdout=open("/dev/null", "w"))
    family = Family.objects.get(slug="llava")
    curation.attribute_families([family], "someone-else", "Someone Else", curator)
    call_command("import_catalog", str(exported), stdout=open("/dev/null", "w"))
    family.refresh_from_db()
    assert family.creator.slug == "someone-else" and family.creator.name == "Someone Else"


def test_attribute_action_refuses_a_get_and_no_creator(client, curator, world):
    from catalog.services import curation

    assert client.get(reverse("admin:catalog_finding_attribute")).status_code == 302
    with pytest.raises(ValueError, match="Choose the organization"):
        curation.attribute_families([world["large"].family], "unattributed")
    response = client.post(
        reverse("admin:catalog_finding_attribute"), {"creator": "meta", "finding": ["x"]}, follow=True
    )
    assert "no longer open" in visible_text(response.content.decode())


def test_merge_suggestion_opens_the_merge_form_with_its_variants_and_merges_them(client, curator, world, version):
    from catalog.services import quality

    large = world["large"]
    twin = factories.variant(large.family, "acme-large-v1", name="acme-large-v1", context_window=128_000)
    quality.run_checks(["likely-same-model"])
    finding = Finding.objects.get(rule="likely-same-model")
    assert finding.suggestion == {"action": "merge", "variants": [large.pk, twin.pk], "keep": large.pk}
    queue = visible_text(client.get(reverse("admin:catalog_finding_queue")).content.decode())
    assert "Merge these 2 variants into Acme Large" in queue

    form = client.get(finding.fix_url)
    page = form.content.decode()
    assert form.status_code == 200 and "Choose the variant to keep" in page
    assert f'value="{twin.pk}"' in page and 'action="/admin/catalog/variant/"' in page
    data = {k: v if len(v) > 1 else v[0] for k, v in form_data(page).items()}
    data["apply"] = "Merge"  # the button pressed
    response, bumped = version(lambda: client.post(reverse("admin:catalog_variant_changelist"), data))
    assert response.status_code == 302
    assert not Variant.objects.filter(pk=twin.pk).exists()
    assert "merged variant acme-large-v1" in large.history.latest().history_change_reason
    assert large.history.latest().history_user == curator
    assert Finding.objects.get(pk=finding.pk).state == Finding.State.RESOLVED  # the group is one variant now
    assert summaries_consistent() and bumped
    gone = client.get(finding.fix_url, follow=True)
    assert "no longer there to merge" in visible_text(gone.content.decode())
