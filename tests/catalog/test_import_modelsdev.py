"""import_modelsdev: the bundled data, matching, provenance, locks, price history, delisting, bad input."""

import copy
import gzip
import io
import json
import re
import threading
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.db.models import Count
from django.utils import timezone

from catalog.models import (
    Family,
    FieldLock,
    ImportRun,
    Listing,
    Offering,
    PriceRecord,
    Provider,
    Variant,
)
from catalog.services.importers import modelsdev
from catalog.services.importers.matching import normalize_model_id
from catalog.services.importers.runs import import_lock

pytestmark = pytest.mark.django_db


def model(model_id, name, family=None, **extra):
    data = {
        "id": model_id,
        "name": name,
        "attachment": False,
        "reasoning": False,
        "tool_call": True,
        "open_weights": False,
        "release_date": "2025-08-05",
        "last_updated": "2025-08-05",
        "modalities": {"input": ["text", "image"], "output": ["text"]},
        "limit": {"context": 200000, "output": 32000},
        "cost": {"input": 15, "output": 75, "cache_read": 1.5, "cache_write": 18.75},
    }
    if family:
        data["family"] = family
    data.update(extra)
    return data


def provider(provider_id, name, models, **extra):
    return {
        "id": provider_id,
        "name": name,
        "env": [],
        "npm": "x",
        "doc": f"https://{provider_id}.example/docs",
        "models": {m["id"]: m for m in models},
        **extra,
    }


@pytest.fixture
def api():
    return {
        "anthropic": provider(
            "anthropic",
            "Anthropic",
            [
                model("claude-opus-4-1-20250805", "Claude Opus 4.1", "claude-opus"),
                model(
                    "claude-3-5-haiku-latest",
                    "Claude Haiku 3.5",
                    "claude-haiku",
                    cost={"input": 0.8, "output": 4},
                    limit={"context": 200000, "output": 8192},
                ),
            ],
        ),
        "openrouter": provider(
            "openrouter",
            "OpenRouter",
            [
                model("anthropic/claude-opus-4.1", "Anthropic: Claude Opus 4.1", "claude-opus"),
                model(
                    "meta-llama/llama-3.1-8b-instruct",
                    "Llama 3.1 8B Instruct",
                    None,
                    open_weights=True,
                    cost={"input": 0.02, "output": 0.03},
                    modalities={"input": ["text"], "output": ["text"]},
                ),
            ],
            api="https://openrouter.ai/api/v1",
        ),
        "google-vertex": provider(
            "google-vertex",
            "Vertex",
            [
                model("claude-opus-4-1@20250805", "Claude Opus 4.1", "claude-opus", status="deprecated"),
            ],
        ),
    }


def write(tmp_path, data, name="api.json", gz=False):
    path = tmp_path / name
    raw = json.dumps(data).encode()
    path.write_bytes(gzip.compress(raw) if gz else raw)
    return path


def run(path=None, *args):
    out = io.StringIO()
    call_command("import_modelsdev", *([str(path)] if path else []), *args, stdout=out)
    return out.getvalue()


def snapshot():
    return {
        model.__name__: sorted(model.objects.values_list("pk", "updated_at"))
        for model in (Provider, Variant, Offering, Family)
    } | {
        "listings": sorted(Listing.objects.values_list("pk", "changed_at", "listed")),
        "prices": sorted(PriceRecord.objects.values_list("pk", "valid_to")),
    }


# --- Matching ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("model_id", "key"),
    [
        ("anthropic/claude-opus-4.1", "claude-opus-4-1"),
        ("claude-opus-4-1", "claude-opus-4-1"),
        ("claude-opus-4-1@20250805", "claude-opus-4-1"),
        ("claude-opus-4-1-20250805", "claude-opus-4-1"),
        ("us.anthropic.claude-opus-4-1-20250805-v1:0", "claude-opus-4-1"),
        ("gpt-4o-2024-08-06", "gpt-4o"),
        ("meta-llama/llama-3.1-8b-instruct:free", "llama-3-1-8b-instruct"),
        ("llava:13b", "llava-13b"),
        ("gpt-4.1", "gpt-4-1"),
        ("claude-3-5-haiku-latest", "claude-3-5-haiku"),
    ],
)
def test_normalize_model_id(model_id, key):
    assert normalize_model_id(model_id) == key


def test_offerings_of_one_model_share_one_variant(tmp_path, api):
    out = run(write(tmp_path, api))
    opus = Variant.objects.get(match_key="claude-opus-4-1")
    assert sorted(opus.offerings.values_list("provider__slug", "model_id")) == [
        ("anthropic", "claude-opus-4-1-20250805"),
        ("google-vertex", "claude-opus-4-1@20250805"),
        ("openrouter", "anthropic/claude-opus-4.1"),
    ]
    assert opus.name == "Claude Opus 4.1"  # the creator's own name wins over the aggregator's
    assert (opus.family.slug, opus.family.name, opus.family.creator.name) == ("claude-opus", "Claude Opus", "Anthropic")
    assert opus.context_window == 200000 and opus.input_modalities == ["text", "image"]
    assert (opus.release_date.isoformat(), opus.release_precision) == ("2025-08-05", "day")
    llama = Variant.objects.get(match_key="llama-3-1-8b")
    assert (llama.family.slug, llama.family.creator.name, llama.open_weights) == ("llama", "Meta", True)
    assert "matching: 0 offerings matched a variant already in the catalog, 3 made a new variant, 2 joined" in out
    vertex = Offering.objects.get(model_id="claude-opus-4-1@20250805")
    assert vertex.status == Offering.Status.DEPRECATED


def test_matches_a_variant_already_in_the_catalog(tmp_path, api, seed):
    api["ollama-cloud"] = provider("ollama-cloud", "Ollama Cloud", [model("llava:13b", "LLaVA 13B", None)])
    out = run(write(tmp_path, api))
    llava = Variant.objects.get(family__slug="llava", slug="llava-13b")
    assert llava.offerings.filter(provider__slug="ollama-cloud").exists()
    assert llava.match_key == "llava-13b"
    # A seed variant is not the source's to rewrite: only unknown fields are filled.
    assert llava.context_window == 4096 and llava.name == "LLaVA 13B"
    assert llava.tool_calling is True  # was unknown
    assert "1 offerings matched a variant already in the catalog" in out


def test_ambiguous_family_hints_are_listed_for_review(tmp_path, api):
    api["openrouter"]["models"]["anthropic/claude-opus-4.1"]["family"] = "claude"
    api["google-vertex"]["models"]["claude-opus-4-1@20250805"]["family"] = "claude"
    api["anthropic"]["models"]["claude-opus-4-1-20250805"]["family"] = "claude-opus"
    out = run(write(tmp_path, api))
    assert "claude-opus-4-1: providers disagree on the family (claude chosen; also claude-opus)" in out
    assert Listing.objects.filter(match=Listing.Match.AMBIGUOUS).count() == 3


# --- Provenance, idempotency, dry run ---------------------------------------------------------


def test_provenance_and_second_run_writes_nothing(tmp_path, api):
    path = write(tmp_path, api, gz=True)
    run(path)
    first = ImportRun.objects.get()
    assert first.status == ImportRun.Status.SUCCEEDED and len(first.dataset_hash) == 64
    assert first.counts["offerings"]["created"] == 5
    listing = Listing.objects.get(key="openrouter/anthropic/claude-opus-4.1")
    assert listing.values["price_input"] == "15" and listing.last_run == first
    assert Offering.objects.get(model_id="claude-opus-4-1-20250805").origin == "models.dev"
    before = snapshot()
    out = run(path)
    assert "No change: the catalog already matches the source." in out
    assert snapshot() == before
    assert ImportRun.objects.count() == 2


def test_dry_run_writes_nothing(tmp_path, api):
    out = run(write(tmp_path, api), "--dry-run")
    assert "offerings: 5 created" in out and "Would change the catalog." in out
    assert Offering.objects.count() == 0 and Provider.objects.count() == 0
    assert ImportRun.objects.get().status == ImportRun.Status.DRY_RUN


# --- Price history, delisting, locks ----------------------------------------------------------


def test_price_change_keeps_the_old_price_with_its_dates(tmp_path, api):
    run(write(tmp_path, api))
    api["anthropic"]["models"]["claude-opus-4-1-20250805"]["cost"]["input"] = 12
    run(write(tmp_path, api))
    offering = Offering.objects.get(model_id="claude-opus-4-1-20250805")
    assert offering.price_input == Decimal("12")
    history = list(offering.price_history.order_by("valid_from"))
    assert [(r.price_input, r.valid_to is None) for r in history] == [(Decimal("15"), False), (Decimal("12"), True)]
    assert history[0].valid_to == history[1].valid_from


def test_missing_model_is_marked_not_listed_never_deleted(tmp_path, api):
    run(write(tmp_path, api))
    gone = copy.deepcopy(api)
    del gone["openrouter"]["models"]["meta-llama/llama-3.1-8b-instruct"]
    out = run(write(tmp_path, gone))
    assert "no longer listed: 1" in out
    offering = Offering.objects.get(model_id="meta-llama/llama-3.1-8b-instruct")
    assert (offering.listed, offering.delisted_at is not None) == (False, True)
    assert not Listing.objects.get(key="openrouter/meta-llama/llama-3.1-8b-instruct").listed
    out = run(write(tmp_path, api))
    assert "listed again: 1" in out
    assert Offering.objects.get(model_id="meta-llama/llama-3.1-8b-instruct").listed


def test_locked_field_survives_and_is_reported(tmp_path, api, admin_client):
    from tests.catalog.test_curation import admin_save

    run(write(tmp_path, api))
    offering = Offering.objects.get(model_id="claude-opus-4-1-20250805")
    admin_save(admin_client, f"/admin/catalog/offering/{offering.pk}/change/", price_input="14.5")
    lock = FieldLock.objects.get(content_type=ContentType.objects.get_for_model(Offering), object_id=offering.pk)
    assert (lock.field, lock.value) == ("price_input", "14.5")
    # The curator's price change is history too.
    assert list(offering.price_history.order_by("valid_from").values_list("price_input", "source")) == [
        (Decimal("15"), "models.dev"),
        (Decimal("14.5"), "admin"),
    ]
    api["anthropic"]["models"]["claude-opus-4-1-20250805"]["cost"]["input"] = 16
    out = run(write(tmp_path, api))
    assert "kept curator value '14.5' for price_input, models.dev says '16'" in out
    assert "kept by curator lock: 1" in out
    offering.refresh_from_db()
    assert offering.price_input == Decimal("14.5")
    lock.delete()  # the curator releases the lock
    run(write(tmp_path, api))
    offering.refresh_from_db()
    assert offering.price_input == Decimal("16")


# --- Bad input ----------------------------------------------------------------------------------


BAD = [
    (
        lambda d: d["anthropic"]["models"]["claude-opus-4-1-20250805"]["cost"].update(input=-1),
        "anthropic/claude-opus-4-1-20250805 cost.input: negative price -1",
    ),
    (
        lambda d: d["anthropic"]["models"]["claude-opus-4-1-20250805"]["limit"].update(context="big"),
        "anthropic/claude-opus-4-1-20250805 limit.context: a token count must be a whole number, not 'big'",
    ),
    (
        lambda d: d["anthropic"]["models"]["claude-opus-4-1-20250805"].update(status="sunset"),
        "anthropic/claude-opus-4-1-20250805: unknown status 'sunset'",
    ),
    (
        lambda d: d["anthropic"]["models"]["claude-opus-4-1-20250805"].update(tool_call="yes"),
        "anthropic/claude-opus-4-1-20250805 tool_call: expected true, false or absent, not 'yes'",
    ),
    (
        lambda d: d["anthropic"]["models"]["claude-opus-4-1-20250805"]["modalities"].update(input=["smell"]),
        "anthropic/claude-opus-4-1-20250805 modalities.input: unknown modality smell",
    ),
]


@pytest.mark.parametrize(("mutate", "message"), BAD)
def test_bad_input_names_the_record_and_changes_nothing(tmp_path, api, mutate, message):
    run(write(tmp_path, api))
    before = snapshot()
    bad = copy.deepcopy(api)
    bad["anthropic"]["models"]["claude-3-5-haiku-latest"]["cost"]["input"] = 0.5  # a change that must not land
    mutate(bad)
    with pytest.raises(CommandError) as error:
        run(write(tmp_path, bad))
    assert message in str(error.value)
    assert snapshot() == before
    assert ImportRun.objects.latest("started_at").status == ImportRun.Status.FAILED


def test_malformed_json_and_duplicate_ids(tmp_path, api):
    path = tmp_path / "broken.json"
    path.write_text('{"anthropic": {"models": {}}')
    with pytest.raises(CommandError, match=r"malformed JSON at line 1, column 29"):
        run(path)
    text = json.dumps(api["anthropic"]["models"]["claude-opus-4-1-20250805"])
    path.write_text('{"x": {"id": "x", "name": "X", "models": {"m": %s, "m": %s}}}' % (text, text))  # noqa: UP031 (a JSON template: format() would need every brace doubled)
    with pytest.raises(CommandError, match=r"duplicate key 'm'"):
        run(path)
    with pytest.raises(CommandError, match=r"cannot read"):
        run(tmp_path / "missing.json")


def test_second_import_at_once_is_refused_with_a_clear_message(tmp_path, api):
    holding, release = threading.Event(), threading.Event()

    def hold():
        try:
            with import_lock():
                holding.set()
                release.wait(10)
        finally:
            connection.close()

    thread = threading.Thread(target=hold)
    thread.start()
    try:
        assert holding.wait(10)
        with pytest.raises(CommandError, match="Another import is running"):
            run(write(tmp_path, api))
    finally:
        release.set()
        thread.join()
    assert Offering.objects.count() == 0
    with import_lock():
        pass  # released


# --- The bundled data -----------------------------------------------------------------------------


def test_bundled_data_loads_every_provider_and_offering(seed, client):
    path, version = modelsdev.bundled_dataset()
    data = json.loads(gzip.decompress(path.read_bytes()))
    expected_offerings = sum(len(p["models"]) for p in data.values())
    out = run()
    assert version in out
    assert Provider.objects.filter(origin="models.dev").count() == len(data)
    assert Offering.objects.filter(origin="models.dev").count() == expected_offerings
    assert Listing.objects.filter(source="models.dev").count() == expected_offerings
    # Every imported record has a working URL (ids like "llama-3.3+(3.1v3.3)-70b" become slugs).
    for variant in Variant.objects.select_related("family"):
        assert variant.get_absolute_url()
    for family in Family.objects.all():
        assert family.get_absolute_url()
    assert "No change" in run()
    biggest = Family.objects.annotate(n=Count("variants")).order_by("-n")[:3]
    for family in biggest:
        assert client.get(family.get_absolute_url()).status_code == 200
    assert client.get("/sitemap.xml").status_code == 200


def test_impossible_date_is_left_unknown_and_named(tmp_path, api):
    api["anthropic"]["models"]["claude-opus-4-1-20250805"]["release_date"] = "2025-25-11"
    out = run(write(tmp_path, api))
    assert "anthropic/claude-opus-4-1-20250805 release_date: '2025-25-11' is not a real date; left unknown" in out
    assert "records skipped: 0" in out


def test_ids_with_symbols_become_url_safe_slugs(tmp_path, api):
    api["openrouter"]["models"]["x/llama-3.3+(3.1v3.3)-70b-hanami-x1"] = model(
        "x/llama-3.3+(3.1v3.3)-70b-hanami-x1", "Hanami", "llama"
    )
    run(write(tmp_path, api))
    variant = Variant.objects.get(slug="llama-3-3-3-1v3-3-70b-hanami-x1")
    assert re.fullmatch(r"[a-z0-9-]+", variant.match_key)
    assert variant.get_absolute_url() == f"/families/{variant.family.slug}/llama-3-3-3-1v3-3-70b-hanami-x1/"


def test_a_placeholder_release_date_is_never_the_earliest(tmp_path):
    api = {
        "reseller-a": provider("reseller-a", "A", [model("acme/widget-7b", "Widget 7B", release_date="1970-01-01")]),
        "reseller-b": provider("reseller-b", "B", [model("acme/widget-7b", "Widget 7B", release_date="2024-03-02")]),
    }
    run(write(tmp_path, api))
    variant = Offering.objects.get(provider__slug="reseller-a").variant
    assert variant.release_date.isoformat() == "2024-03-02"


# --- Queries grow with batches, not records -----------------------------------------------------


def _many(count: int, start: int = 0) -> list[dict]:
    return [
        model(f"lab-model-{n}b", f"Lab Model {n}B", "lab-model", cost={"input": n, "output": 2 * n})
        for n in range(start, start + count)
    ]


def _queries_of(path) -> int:
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        run(path)
    return len(captured)


def test_an_import_runs_queries_per_batch_not_per_record(tmp_path):
    """Five new models, then 5 + 95 new ones (and 5 priced anew): the second run may not cost a query per
    record: every write and read is per batch (sources.BATCH records)."""
    few = _queries_of(write(tmp_path, {"lab": provider("lab", "Lab", _many(5))}, "few.json"))
    more = {
        "lab": provider(
            "lab",
            "Lab",
            [
                *[model(m["id"], m["name"], "lab-model", cost={"input": 99, "output": 99}) for m in _many(5)],
                *_many(95, start=5),
            ],
        )
    }
    many = _queries_of(write(tmp_path, more, "many.json"))
    assert Offering.objects.count() == 100
    assert many <= few + 10, f"{few} queries for 5 models, {many} for 100: a query per record somewhere"


def test_an_unchanged_reimport_resolves_nothing_and_resolve_all_resolves_everything(tmp_path, api):
    """A value changed behind the importer's back (as a rules change would leave it): an unchanged re-run leaves
    it, since no listing changed; --resolve-all works every value out again from the listings."""
    path = write(tmp_path, api)
    run(path)
    offering = Offering.objects.get(model_id="claude-opus-4-1-20250805")
    Offering.objects.filter(pk=offering.pk).update(context_window=1234)  # no updated_at: not a curator's edit
    assert "No change" in run(path)
    offering.refresh_from_db()
    assert offering.context_window == 1234
    out = run(path, "--resolve-all")
    offering.refresh_from_db()
    assert offering.context_window == 200000
    assert "Changes written" in out


def test_a_curator_edit_since_the_last_run_is_resolved_again(tmp_path, api):
    """A record changed since the source's last run (its updated_at) is worked out again: an unlocked value a
    source owns goes back to what the source says."""
    path = write(tmp_path, api)
    run(path)
    offering = Offering.objects.get(model_id="claude-opus-4-1-20250805")
    Offering.objects.filter(pk=offering.pk).update(context_window=1234, updated_at=timezone.now())
    run(path)
    offering.refresh_from_db()
    assert offering.context_window == 200000


def test_a_committed_import_refreshes_postgresql_statistics(tmp_path, api):
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        run(write(tmp_path, api))
    analyzed = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("ANALYZE")]
    if connection.vendor == "postgresql":
        assert [sql for sql in analyzed if '"catalog_offering"' in sql and '"catalog_listing"' in sql]
    else:
        assert not [sql for sql in analyzed if "catalog_offering" in sql]
    with CaptureQueriesContext(connection) as queries:
        run(write(tmp_path, api), "--dry-run")
    assert not [
        q for q in queries.captured_queries if q["sql"].startswith("ANALYZE") and "catalog_offering" in q["sql"]
    ]
