"""The table pages: /models/, /families/, a provider's offerings and /compare/."""

import csv
import io
from datetime import date
from decimal import Decimal
from urllib.parse import urlencode

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from catalog.models import Family, Offering, Organization, Provider, Variant
from catalog.services import summaries
from tests import factories
from tests.html import tables, visible_text

JSON_KEYS = [
    "url",
    "family",
    "variant",
    "name",
    "creator",
    "released",
    "context_window",
    "max_output_tokens",
    "parameters",
    "input_modalities",
    "output_modalities",
    "tool_calling",
    "reasoning",
    "structured_output",
    "open_weights",
    "status",
    "providers",
    "price_in_min",
    "price_out_min",
]


def get_json(client, url, status=200):
    response = client.get(url)
    assert response.status_code == status, (url, response.content[:300])
    return response.json()


def names(client, query=""):
    return [row["name"] for row in get_json(client, f"/models/?format=json&page_size=200&{query}")["results"]]


@pytest.fixture
def catalog(db):
    """A small catalog whose rows differ on every filter."""
    acme = factories.organization("acme", "Acme")
    bolt = factories.organization("bolt", "Bolt Labs")
    vision = factories.family("vision", "Vision", creator=acme)
    text = factories.family("text", "Text", creator=bolt)
    api, cloud = factories.provider("api", "API Co"), factories.provider("cloud", "Cloud Co")
    rows = {
        "big": factories.variant(
            vision,
            "big",
            "Vision Big",
            context_window=128000,
            parameters=70 * 10**9,
            input_modalities=["text", "image"],
            tool_calling=True,
            reasoning=True,
            open_weights=False,
            release_date=date(2025, 3, 1),
        ),
        "small": factories.variant(
            vision,
            "small",
            "Vision Small",
            context_window=32768,
            parameters=7 * 10**9,
            input_modalities=["text", "image", "audio"],
            tool_calling=False,
            open_weights=True,
            release_date=date(2024, 6, 15),
        ),
        "old": factories.variant(
            text,
            "old",
            "Text Old",
            context_window=4096,
            parameters=13 * 10**9,
            input_modalities=["text"],
            status="legacy",
            release_date=date(2023, 4, 1),
        ),
        "gone": factories.variant(
            text, "gone", "Text Gone", status="retired", retirement_date=date(2024, 1, 1), release_date=date(2022, 1, 1)
        ),
        "unknown": factories.variant(text, "unknown", "Text Unknown", release_date=None, release_precision="day"),
    }
    factories.offering(rows["big"], api, "big", "3", "15")
    factories.offering(rows["big"], cloud, "big-c", "2.5", "16")
    factories.offering(rows["small"], api, "small", "0.2", "0.6")
    factories.offering(rows["old"], cloud, "old")  # no price
    return rows


# --- Rows, keys, order ------------------------------------------------------------------------


def test_json_rows_have_the_public_keys_numbers_as_numbers_unknown_as_null(client, catalog):
    data = get_json(client, "/models/?format=json&sort=name")
    assert data["count"] == 4 and data["next"] is None
    assert [list(row) for row in data["results"]] == [JSON_KEYS] * 4
    big = next(row for row in data["results"] if row["name"] == "Vision Big")
    assert big == {
        "url": "/families/vision/big/",
        "family": "vision",
        "variant": "big",
        "name": "Vision Big",
        "creator": "Acme",
        "released": "2025-03",
        "context_window": 128000,
        "max_output_tokens": None,
        "parameters": 70 * 10**9,
        "input_modalities": ["text", "image"],
        "output_modalities": [],
        "tool_calling": True,
        "reasoning": True,
        "structured_output": None,
        "open_weights": False,
        "status": "current",
        "providers": 2,
        "price_in_min": 2.5,
        "price_out_min": 15,
    }
    unknown = next(row for row in data["results"] if row["name"] == "Text Unknown")
    assert unknown["released"] is None and unknown["price_in_min"] is None and unknown["providers"] == 0


def test_default_is_current_and_legacy_newest_first(client, catalog):
    assert names(client) == ["Vision Big", "Vision Small", "Text Old", "Text Unknown"]
    assert names(client, "status=retired") == ["Text Gone"]
    assert set(names(client, "status=retired&status=current")) == {
        "Vision Big",
        "Vision Small",
        "Text Gone",
        "Text Unknown",
    }


def test_html_json_and_csv_show_the_same_rows_in_the_same_order(client, catalog):
    query = "sort=-price_in_min&modality=text"
    html_rows = [row[1] for row in tables(client.get(f"/models/?{query}").content.decode())[0][1:]]
    json_rows = names(client, query)
    assert html_rows == json_rows
    response = client.get(f"/models/?{query}&format=csv")
    assert response["Content-Type"].startswith("text/csv")
    reader = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert [row["name"] for row in reader] == json_rows
    assert list(reader[0]) == JSON_KEYS
    assert reader[0]["input_modalities"] == "text|image"


def test_csv_streams_every_row_json_pages_with_next(client, catalog):
    data = get_json(client, "/models/?format=json&page_size=1&sort=name")
    assert data["count"] == 4 and len(data["results"]) == 1
    assert data["next"].endswith("page=2") and "format=json" in data["next"]
    response = client.get("/models/?format=csv&page_size=1")
    assert len(b"".join(response.streaming_content).decode().strip().splitlines()) == 1 + 4


# --- Filters -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("q=vision big", ["Vision Big"]),
        ("q=bolt", ["Text Old", "Text Unknown"]),
        ("family=text", ["Text Old", "Text Unknown"]),
        ("creator=acme", ["Vision Big", "Vision Small"]),
        ("provider=cloud", ["Vision Big", "Text Old"]),
        ("provider=cloud&provider=api", ["Vision Big", "Vision Small", "Text Old"]),
        ("modality=image", ["Vision Big", "Vision Small"]),
        ("modality=image&modality=audio", ["Vision Small"]),
        ("tool_calling=yes", ["Vision Big"]),
        ("tool_calling=no", ["Vision Small"]),
        ("tool_calling=unknown", ["Text Old", "Text Unknown"]),
        ("open_weights=no", ["Vision Big"]),
        ("context_min=32768", ["Vision Big", "Vision Small"]),
        ("params_min=10B", ["Vision Big", "Text Old"]),
        ("params_max=13000000000", ["Vision Small", "Text Old"]),
        ("released_after=2024-06", ["Vision Big", "Vision Small"]),
        ("released_before=2024-06-16", ["Vision Small", "Text Old"]),
        ("price_in_max=1", ["Vision Small"]),
        ("price_out_max=15", ["Vision Big", "Vision Small"]),
        ("priced=yes", ["Vision Big", "Vision Small"]),
        ("modality=image&context_min=32000&price_in_max=1&sort=price_in_min", ["Vision Small"]),
    ],
)
def test_filters(client, catalog, query, expected):
    assert names(client, f"{query}&sort=-released") == expected


def test_sort_puts_unknown_last_both_ways_with_a_stable_tie_break(client, catalog):
    assert names(client, "sort=price_in_min") == ["Vision Small", "Vision Big", "Text Old", "Text Unknown"]
    assert names(client, "sort=-price_in_min") == ["Vision Big", "Vision Small", "Text Old", "Text Unknown"]
    assert names(client, "sort=-context_window")[-1] == "Text Unknown"
    # Ties keep the catalog order: family name, position, name.
    assert names(client, "sort=status") == ["Text Unknown", "Vision Big", "Vision Small", "Text Old"]


def test_facet_counts_say_how_many_rows_each_choice_gives(client, catalog):
    html = client.get("/models/?modality=text").content.decode()
    facet = {}
    for name in ("image", "audio", "pdf"):
        count = html.split(f'id="f-modality-{name}"')[1].split('class="facet-count">')[1].split("<")[0]
        facet[name] = int(count)
    assert facet == {"image": len(names(client, "modality=text&modality=image")), "audio": 1, "pdf": 0}
    html = client.get("/models/").content.decode()
    retired = html.split('id="f-status-retired"')[1].split('class="facet-count">')[1].split("<")[0]
    assert int(retired) == 1  # counted although the default view hides retired models
    creator = html.split('id="f-creator-bolt"')[1].split('class="facet-count">')[1].split("<")[0]
    assert int(creator) == len(names(client, "creator=bolt")) == 2


def test_state_lives_in_the_url_and_the_form_shows_it(client, catalog):
    html = client.get("/models/?q=vision&modality=image&context_min=1000&sort=-context_window").content.decode()
    assert 'value="vision"' in html and 'id="f-modality-image" checked' in html
    assert 'name="context_min" id="id_context_min" value="1000"' in html
    assert '<input type="hidden" name="sort" value="-context_window">' in html
    assert 'href="/models/">Clear all</a>' in html


def test_htmx_request_gets_only_the_results_partial(client, catalog):
    response = client.get("/models/?modality=image", headers={"HX-Request": "true"})
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<div id="results"') and "<html" not in html
    assert "Vision Big" in html and "Text Old" not in html


# --- Bad input -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("context_min=lots", "context_min"),
        ("context_min=-5", "context_min"),
        ("params_min=seven", "params_min"),
        ("released_after=2024-13", "released_after"),
        ("released_before=last year", "released_before"),
        ("sort=colour", "sort"),
        ("modality=smell", "modality"),
        ("tool_calling=maybe", "tool_calling"),
        ("status=alive", "status"),
        ("creator=nobody", "creator"),
        ("page=0", "page"),
        ("page=99", "page"),
        ("page_size=500", "page_size"),
        ("q=" + "x" * 10_000, "q"),
        ("format=xml", "format"),
    ],
)
def test_bad_parameters_are_explained_never_a_500(client, catalog, query, parameter):
    html = client.get(f"/models/?{query}")
    assert html.status_code == 400
    assert parameter in visible_text(html.content.decode())
    for fmt in ("json", "csv"):
        if parameter == "format" or (fmt == "csv" and query == "page=99"):
            continue  # CSV has every row: no page can be past its end
        response = client.get(f"/models/?{query}&format={fmt}")
        assert response.status_code == 400
        assert parameter in response.json()["errors"]


def test_repeated_single_parameters_do_not_break_the_page(client, catalog):
    assert client.get("/models/?context_min=1&context_min=2&sort=name&sort=-name").status_code == 200


QUERY_TEXT = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=30)
PARAMS = st.lists(
    st.tuples(
        st.sampled_from(
            [
                "q",
                "family",
                "creator",
                "provider",
                "modality",
                "tool_calling",
                "status",
                "context_min",
                "params_min",
                "params_max",
                "released_after",
                "released_before",
                "price_in_max",
                "priced",
                "sort",
                "page",
                "page_size",
                "format",
                "v",
                "use_case",
                "open_weights",
                "listed",
                "x",
            ]
        ),
        QUERY_TEXT,
    ),
    max_size=6,
)


@pytest.mark.parametrize("path", ["/models/", "/families/", "/providers/api/", "/compare/"])
def test_arbitrary_query_strings_never_give_a_500(client, catalog, path):
    @settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(PARAMS)
    def check(params):
        response = client.get(f"{path}?{urlencode(params)}")
        if response.status_code == 302:  # a parameter the page does not read: to the URL without it
            response = client.get(response["Location"])
        assert response.status_code in {200, 400}, (params, response.status_code)

    check()


# --- Families and a provider's offerings ---------------------------------------------------------


def test_families_table_filters_sorts_and_exports(client, catalog):
    data = get_json(client, "/families/?format=json&sort=-variants")
    assert [row["name"] for row in data["results"]] == ["Text", "Vision"]
    assert get_json(client, "/families/?format=json&open_weights=yes")["results"][0]["name"] == "Vision"
    assert get_json(client, "/families/?format=json&sort=nope", status=400)["errors"]["sort"]


def test_families_table_says_dash_for_no_known_use_case(client, catalog):
    rows = {row[0]: row for row in tables(client.get("/families/").content.decode())[0][1:]}
    assert rows["Vision"][-1] == "—"  # no use case known: a dash, never a blank cell


def test_provider_offerings_filter_sort_and_export(client, catalog):
    data = get_json(client, "/providers/api/?format=json&sort=-price_input")
    assert [row["model_id"] for row in data["results"]] == ["big", "small"]
    assert [r["model_id"] for r in get_json(client, "/providers/cloud/?format=json&priced=yes")["results"]] == ["big-c"]
    assert get_json(client, "/providers/api/?format=json&price_in_max=1")["results"][0]["price_input"] == 0.2


# --- Compare ---------------------------------------------------------------------------------------


def test_compare_side_by_side_with_differences_marked(client, catalog):
    html = client.get("/compare/?v=vision/big&v=vision/small").content.decode()
    text = visible_text(html)
    assert "Vision Big" in text and "Vision Small" in text
    rows = {row[0]: row[1:] for row in tables(html)[0][1:]}
    assert rows["Context window differs"] == ["128k longest", "32k"]
    assert rows["Family"] == ["Vision", "Vision"]
    assert rows["Status"] == ["Current", "Current"]  # a label, not the stored value
    assert rows["License"] == ["—", "—"]  # unknown is a dash, never a blank
    assert rows["Lowest input price ($/M) differs"] == ["$2.50", "$0.20 cheapest"]
    assert rows["Released differs"] == ["2025-03 newest", "2024-06"]
    assert rows["Reasoning"] == ["Yes", "—"]  # one known value: nothing to tell apart, no mark
    prices = {row[0]: row[1:] for row in tables(html)[1][1:]}
    assert prices["API Co"] == ["$3.00 / $15.00", "$0.20 / $0.60 cheapest"]
    assert prices["Cloud Co"] == ["$2.50 / $16.00", "not offered"]


def test_compare_prices_rank_pay_per_token_only_and_show_free_tiers_as_such(client, catalog):
    """A free tier's $0 is no price (DESIGN: only pay-per-token prices are prices): never "cheapest"."""
    api, cloud = Provider.objects.get(slug="api"), Provider.objects.get(slug="cloud")
    factories.offering(catalog["big"], api, "big:free", "0", "0", kind="free_tier")
    factories.offering(catalog["small"], cloud, "small:free", "0", "0", kind="free_tier")
    html = client.get("/compare/?v=vision/big&v=vision/small").content.decode()
    prices = {row[0]: row[1:] for row in tables(html)[1][1:]}
    assert prices["API Co"] == ["$3.00 / $15.00", "$0.20 / $0.60 cheapest"]  # the paid price, not the free tier
    assert prices["Cloud Co"] == ["$2.50 / $16.00", "Free tier"]  # nothing to rank against: no mark


def test_compare_bad_input_is_explained(client, catalog):
    response = client.get("/compare/?v=vision/nope&v=bogus")
    assert response.status_code == 400
    text = visible_text(response.content.decode())
    assert "No model vision/nope in the catalog." in text and "'bogus' is not family/variant" in text
    many = "&".join(f"v=vision/big{i}" for i in range(7))
    assert "Compare at most 6 models" in visible_text(client.get(f"/compare/?{many}").content.decode())


def test_rows_of_models_can_be_ticked_for_compare(client, catalog):
    html = client.get("/models/").content.decode()
    assert '<form id="compare" method="get" action="/compare/">' in html
    assert 'name="v" value="vision/big" form="compare"' in html


# --- Queries: bounded, the same for 10 and 1,000 variants ---------------------------------------


def grow(total: int):
    org = Organization.objects.create(slug=f"org-{total}", name=f"Org {total}")
    fam = Family.objects.create(slug=f"fam-{total}", name=f"Fam {total}", creator=org)
    prov = Provider.objects.create(slug=f"prov-{total}", name=f"Prov {total}")
    variants = Variant.objects.bulk_create(
        [
            Variant(
                family=fam,
                slug=f"v{i}",
                name=f"V{i}",
                context_window=1000 + i,
                parameters=10**9 + i,
                input_modalities=["text", "image"] if i % 2 else ["text"],
                tool_calling=bool(i % 3),
                release_date=date(2024, 1 + i % 12, 1),
                release_precision="month",
            )
            for i in range(total)
        ]
    )
    Offering.objects.bulk_create(
        [
            Offering(variant=v, provider=prov, model_id=f"m{v.pk}", price_input=Decimal(i % 7), price_output=Decimal(i))
            for i, v in enumerate(variants)
        ]
    )
    summaries.refresh()  # bulk writes send no signals, as in the importers
    return prov


# Per page: unfiltered, and filtered + sorted with parameters and a sort that page accepts (a 400 page
# would measure the error page's queries, not the table's).
QUERIES = {
    "/models/": ["", "modality=image&context_min=1005&sort=price_in_min", "tool_calling=yes&provider={prov}&q=V1"],
    "/families/": ["", "modality=image&sort=-max_context", "open_weights=yes&q=Family&sort=variants"],
    "/providers/{prov}/": ["", "modality=image&sort=price_input", "priced=yes&q=V1&sort=-context_window"],
}
QUERY_CASES = [(page, query) for page, queries in QUERIES.items() for query in queries]


@pytest.mark.parametrize(("page", "query"), QUERY_CASES)
def test_query_count_is_the_same_for_10_and_1000_variants(client, db, page, query):
    counts = []
    for total in (10, 1000):
        prov = grow(total)
        url = page.format(prov=prov.slug) + "?" + query.format(prov=prov.slug)
        response = client.get(url)
        if response.status_code == 302:  # parameters this page does not read are redirected away first
            url = response["Location"]
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        counts.append(len(captured))
    assert counts[0] == counts[1], f"{page}?{query}: {counts}"
    assert counts[1] <= 16


def test_offer_summary_follows_saves_deletes_and_imports(client, catalog):
    big = catalog["big"]
    offering = Offering.objects.get(model_id="big-c")
    offering.price_input = Decimal("1.5")
    offering.save()
    assert Variant.objects.get(pk=big.pk).price_in_min == Decimal("1.5")
    offering.delete()
    big.refresh_from_db()
    assert (big.provider_count, big.price_in_min) == (1, Decimal("3"))
    Offering.objects.filter(model_id="big").update(listed=False)  # as an import marks it
    summaries.refresh()
    big.refresh_from_db()
    assert (big.provider_count, big.price_in_min, big.price_out_min) == (0, None, None)


def test_very_large_results_keep_their_facets_without_counts(client, catalog, monkeypatch):
    from catalog.views import tables as table_views

    monkeypatch.setattr(table_views, "FACET_ROW_LIMIT", 1)
    with CaptureQueriesContext(connection) as captured:
        html = client.get("/models/?creator=acme").content.decode()
    assert "Counts per choice appear when the filters leave at most 1 models" in html
    assert 'id="f-modality-image"' in html and 'id="f-creator-acme" checked' in html
    assert 'class="facet-count"' not in html
    # the index of the catalog version (4 queries, here on every request as the test's writes are not committed),
    # the sort's order, the page's rows and the form's creator lookup: no count
    assert len(captured) <= 7


def test_csv_cells_cannot_run_as_spreadsheet_formulas(client, catalog):
    big = catalog["big"]
    big.name = '=HYPERLINK("http://evil")'
    big.save()
    body = b"".join(client.get("/models/?format=csv&family=vision").streaming_content).decode()
    assert "'=HYPERLINK" in body and "\n=HYPERLINK" not in body and ",=HYPERLINK" not in body
