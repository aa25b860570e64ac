"""Issue 15: bad files never empty the catalog, no 500 from a header, honest runs, safe CSV, timeouts, throttle.

The malformed-input cases of every importer are in test_fault_injection.py.
"""

import csv
import io
import json
import threading

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from catalog.models import FamilyTag, ImportRun, Listing, Offering, Organization, Tag, Variant
from catalog.services.importers.runs import import_lock
from catalog.views.tables import FORMULA_STARTS, csv_cell

# --- 15.1: shrinking imports ------------------------------------------------------------------


def _api(models_per_provider=30, providers=2, price=1.0):
    return {
        f"prov{p}": {
            "id": f"prov{p}",
            "name": f"Provider {p}",
            "models": {
                f"model-{p}-{m}": {
                    "id": f"model-{p}-{m}",
                    "name": f"Model {p} {m}",
                    "cost": {"input": price, "output": price} if price is not None else {},
                }
                for m in range(models_per_provider)
            },
        }
        for p in range(providers)
    }


def _write(tmp_path, data, name="api.json"):
    path = tmp_path / name
    path.write_text(json.dumps(data))
    return path


def _public_state():
    return (
        sorted(Offering.objects.values_list("model_id", "listed", "price_input")),
        sorted(Listing.objects.values_list("key", "listed")),
    )


@pytest.mark.parametrize("shrunk", [{}, "partial", "unpriced"], ids=["empty", "partial", "prices-gone"])
def test_an_import_that_would_shrink_the_catalog_is_refused_and_writes_nothing(db, tmp_path, shrunk):
    call_command("import_modelsdev", str(_write(tmp_path, _api())), stdout=io.StringIO())
    before = _public_state()
    if shrunk == "partial":
        shrunk = _api(models_per_provider=30, providers=1)  # half the offerings gone
    elif shrunk == "unpriced":
        shrunk = _api(price=None)
    with pytest.raises(CommandError, match=r"refused, nothing written: .*more than the 20% allowed.*--allow-shrink"):
        call_command("import_modelsdev", str(_write(tmp_path, shrunk, "shrunk.json")), stdout=io.StringIO())
    assert _public_state() == before
    run = ImportRun.objects.order_by("-started_at", "-pk").first()
    assert run.status == ImportRun.Status.FAILED and "refused" in run.error


def test_allow_shrink_applies_it_and_a_small_change_needs_no_flag(db, tmp_path):
    call_command("import_modelsdev", str(_write(tmp_path, _api())), stdout=io.StringIO())
    fewer = _api()
    for m in range(5):  # 5 of 60 (8 %): allowed
        del fewer["prov0"]["models"][f"model-0-{m}"]
    out = io.StringIO()
    call_command("import_modelsdev", str(_write(tmp_path, fewer, "fewer.json")), stdout=out)
    assert "no longer listed: 5" in out.getvalue()
    out = io.StringIO()
    call_command("import_modelsdev", str(_write(tmp_path, {}, "empty.json")), "--allow-shrink", stdout=out)
    assert "no longer listed: 55" in out.getvalue()
    assert not Offering.objects.filter(listed=True).exists()


# --- 15.9: runs that die, load_seed and the lock ------------------------------------------------


def test_a_run_left_running_by_a_killed_import_is_marked_failed_at_the_next_start(db, tmp_path):
    from django.utils import timezone

    dead = ImportRun.objects.create(
        source="models.dev", dataset="x", started_at=timezone.now(), status=ImportRun.Status.RUNNING
    )
    call_command("import_modelsdev", str(_write(tmp_path, _api(2, 1))), stdout=io.StringIO())
    dead.refresh_from_db()
    assert dead.status == ImportRun.Status.FAILED and dead.finished_at is not None
    assert "Interrupted" in dead.error
    assert not ImportRun.objects.filter(status=ImportRun.Status.RUNNING).exists()


def test_load_seed_waits_for_no_import_it_is_refused_while_one_runs(db):
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
            call_command("load_seed", stdout=io.StringIO())
    finally:
        release.set()
        thread.join()
    assert not Variant.objects.exists()


# --- 15.5: CSV cells ------------------------------------------------------------------------------

PAYLOAD = '=HYPERLINK("http://evil.example","x")'


@pytest.mark.parametrize(
    "value", [PAYLOAD, "+1", "-1+1", "@SUM(A1)", "\tx", "\rx", ["ok", PAYLOAD], [PAYLOAD], ("a", ["b", "=c"])]
)
def test_csv_cell_neutralizes_every_kind_of_cell(value):
    cell = str(csv_cell(value))
    for part in cell.split("|"):
        assert part[:1] not in FORMULA_STARTS, cell


def test_csv_cell_keeps_numbers_booleans_and_nothing():
    assert [csv_cell(v) for v in (-3, 2.5, True, False, None, [])] == [-3, 2.5, "true", "false", "", ""]


@pytest.fixture
def hostile(seed):
    """Formula payloads in every curator text an export shows (names, tags in a list, ids)."""
    Organization.objects.filter(slug="haotian-liu").update(name="@SUM(1+1)")
    Variant.objects.filter(slug="llava-13b").update(name=PAYLOAD)
    Offering.objects.filter(model_id="llava:13b").update(model_id="-2+3")
    from catalog.models import Family

    llava = Family.objects.get(slug="llava")
    Family.objects.filter(pk=llava.pk).update(name="+LLaVA")
    tag = Tag.objects.create(kind=Tag.Kind.USE_CASE, slug="evil", name=PAYLOAD)
    FamilyTag.objects.create(family=llava, tag=tag, position=99)


@pytest.mark.parametrize(
    "url",
    [
        "/models/?format=csv&status=current&status=legacy&status=retired",
        "/families/?format=csv",
        "/providers/ollama/?format=csv",
    ],
)
def test_every_csv_export_neutralizes_formulas_in_every_cell(client, hostile, url):
    response = client.get(url)
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert len(rows) > 1
    cells = [cell for row in rows[1:] for cell in row]
    for cell in cells:
        for part in cell.split("|"):
            assert part[:1] not in FORMULA_STARTS, (url, cell)
    assert any(PAYLOAD[1:] in cell or "SUM(1+1)" in cell or "2+3" in cell or "LLaVA" in cell for cell in cells)


def test_families_csv_neutralizes_a_formula_tag_inside_the_use_case_list(client, hostile):
    body = b"".join(client.get("/families/?format=csv").streaming_content).decode()
    assert "'" + PAYLOAD.replace('"', '""') in body  # quoted by csv, with the apostrophe in front
    assert "|" + PAYLOAD.replace('"', '""') not in body


# --- 15.6: a hung database ------------------------------------------------------------------------


def test_healthz_answers_503_in_time_when_a_probe_hangs(client, db, settings, monkeypatch):
    release = threading.Event()
    settings.HEALTHZ_TIMEOUT = 0.2
    monkeypatch.setattr("catalog.views.site._database", lambda: release.wait(30))
    try:
        response = client.get("/healthz")
    finally:
        release.set()
    assert response.status_code == 503
    assert response.json()["checks"]["database"] == {"status": "error", "error": "Timeout"}
    assert response.json()["checks"]["cache"]["status"] == "ok"


@pytest.mark.parametrize("error", ["OperationalError", "InterfaceError"])
def test_a_page_meeting_a_database_that_is_away_answers_the_designed_503(client, seed, monkeypatch, error):
    from django.db import utils

    def away(*args, **kwargs):
        raise getattr(utils, error)("canceling statement due to statement timeout")

    monkeypatch.setattr("catalog.selectors.tables.family_table", away)
    response = client.get("/families/")
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert "temporarily unavailable" in response.content.decode()
    assert "statement timeout" not in response.content.decode()


def test_the_503_page_is_the_handler_for_database_errors_outside_views(rf):
    from django.db.utils import OperationalError

    from catalog.views.site import server_error

    try:
        raise OperationalError("could not connect: timeout expired")
    except OperationalError:
        response = server_error(rf.get("/"))
    assert response.status_code == 503


def test_postgresql_connections_time_out(settings):
    """The settings give PostgreSQL a connect and a statement timeout (SQLite has its own busy timeout)."""
    import importlib
    import os

    from config import settings as config_settings

    os.environ["DATABASE_URL"], previous = "postgres://u@db.example:5432/catalog", os.environ.get("DATABASE_URL")
    try:
        options = importlib.reload(config_settings).DATABASES["default"]["OPTIONS"]
    finally:
        if previous is None:
            del os.environ["DATABASE_URL"]
        else:
            os.environ["DATABASE_URL"] = previous
        importlib.reload(config_settings)
    assert options["connect_timeout"] == 3
    assert options["options"] == "-c statement_timeout=30000"


# --- 15.10: the page cache keyed by what a page reads, bounded per page -----------------------------


@pytest.mark.parametrize(
    ("url", "canonical"),
    [
        ("/families/?junk=1&q=llava&utm_source=x", "/families/?q=llava"),
        ("/models/?modality=image&modality=audio&x=1", "/models/?modality=image&modality=audio"),
        ("/families/llava/?sort=context&fbclid=1", "/families/llava/?sort=context"),
        ("/families/llava/llava-13b/?input_tokens=5&ref=a", "/families/llava/llava-13b/?input_tokens=5"),
        (
            "/compare/?v=llava/llava-13b&v=llava-1-5/llava-1-5-13b&z=",
            "/compare/?v=llava%2Fllava-13b&v=llava-1-5%2Fllava-1-5-13b",
        ),
        ("/sitemap.xml?cachebuster=123", "/sitemap.xml"),
        ("/robots.txt?a=b", "/robots.txt"),
        ("/?q=1", "/"),
    ],
)
def test_a_parameter_a_page_does_not_read_redirects_to_the_url_without_it(client, seed, url, canonical):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == canonical
    assert client.get(canonical).status_code == 200


def test_parameters_a_page_reads_are_not_redirected(client, seed):
    for url in (
        "/models/?q=llava&sort=-released&page_size=10&format=html",
        "/providers/ollama/?listed=all&sort=family",
        "/choose/?modality=image&page=1",
        "/sitemap.xml?p=1",
        "/families/?use_case=x&open_weights=yes",
    ):
        assert client.get(url).status_code in {200, 400}, url


def test_the_cached_copies_of_one_page_are_bounded(rf, settings):
    from catalog.services import page_cache

    settings.CATALOG_PAGE_CACHE_VARIANTS = 3
    request = rf.get("/models/?q=a")
    admitted = [page_cache.admit_variant(123, rf.get(f"/models/?q={n}")) for n in range(5)]
    assert admitted == [True, True, True, False, False]
    assert page_cache.admit_variant(123, rf.get("/families/?q=1"))  # another page has its own allowance
    assert page_cache.admit_variant(124, request)  # a new catalog version starts again
