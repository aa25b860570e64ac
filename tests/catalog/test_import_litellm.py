"""import_litellm: LiteLLM's model_prices_and_context_window.json as a second source beside models.dev."""

import io
import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from catalog.models import (
    Disagreement,
    Family,
    ImportRun,
    Listing,
    Offering,
    Organization,
    PriceRecord,
    Provider,
    Variant,
)
from catalog.services.importers import litellm

SAMPLE = Path(__file__).parent.parent / "fixtures" / "litellm_sample.json"
CHAT_KEYS = {
    "gpt-4o",
    "vercel_ai_gateway/anthropic/claude-3.5-sonnet",
    "claude-sonnet-4-5",
    "deepseek/deepseek-chat",
    "codestral/codestral-2405",
    "ollama/llama3",
    "anthropic.claude-3-5-sonnet-20240620-v1:0",
    "vertex_ai/claude-3-5-haiku@20241022",
    "gemini/gemini-2.5-flash",
    "gpt-audio",
    "azure/o3-mini",
}
TODAY = date(2026, 6, 1)  # the sample's deprecation dates are read against a fixed day


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    monkeypatch.setattr(litellm, "_today", lambda: TODAY)


@pytest.fixture
def sample() -> dict:
    return json.loads(SAMPLE.read_text())


def run(path, *args) -> str:
    out = io.StringIO()
    call_command("import_litellm", str(path), *args, stdout=out)
    return out.getvalue()


def write(tmp_path, document, name="litellm.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(document) if not isinstance(document, str) else document)
    return path


def offering(provider, model_id) -> Offering:
    return Offering.objects.select_related("variant").get(provider__slug=provider, model_id=model_id)


def snapshot() -> dict:
    """Everything an import may write, except the run records."""
    models = (Organization, Family, Variant, Provider, Offering, Listing, PriceRecord, Disagreement)
    return {model.__name__: sorted(map(repr, model.objects.values())) for model in models}


# --- Loading the sample --------------------------------------------------------------------


def test_loads_the_chat_entries_and_skips_the_others_with_the_reason(db):
    out = run(SAMPLE)
    assert set(Listing.objects.filter(source="litellm").values_list("key", flat=True)) == CHAT_KEYS
    assert Offering.objects.count() == len(CHAT_KEYS)
    notes = ImportRun.objects.get(source="litellm").notes
    assert "skipped 1 entry with mode 'embedding': only chat models are imported" in notes
    assert "skipped 1 entry with mode 'image_generation': only chat models are imported" in notes
    assert "skipped 1 entry with mode 'audio_transcription': only chat models are imported" in notes
    assert "skipped 1 entry without a mode (aliases and pricing tiers): only chat models are imported" in notes
    # "deepseek-chat" and "deepseek/deepseek-chat" are one offering: the explicitly routed key is kept
    assert (
        "skipped key 'deepseek-chat': another spelling of 'deepseek/deepseek-chat', the same offering "
        "deepseek/deepseek-chat (with different prices, limits or status)"
    ) in notes
    assert not any("sample_spec" in note for note in notes)
    assert len(notes) == 5  # one note per skipped mode, not one per record
    assert "records skipped: 5" in out and "Changes written." in out


def test_per_token_prices_become_exact_prices_per_million(db):
    run(SAMPLE)
    gpt = offering("openai", "gpt-4o")
    assert gpt.price_input == Decimal("2.500000")
    assert gpt.price_output == Decimal("10.000000")
    assert gpt.price_cache_read == Decimal("1.250000")
    assert gpt.price_cache_write is None  # LiteLLM gives no cache write price for gpt-4o: unknown
    assert (gpt.context_window, gpt.max_output_tokens) == (128000, 16384)
    cheap = offering("deepseek", "deepseek-chat")
    assert (cheap.price_input, cheap.price_output, cheap.price_cache_read) == (
        Decimal("0.280000"),
        Decimal("0.420000"),
        Decimal("0.028000"),
    )
    assert cheap.price_cache_write == Decimal(0)
    listing = Listing.objects.get(source="litellm", key="gpt-4o")
    assert listing.values["price_input"] == "2.5"
    history = PriceRecord.objects.get(offering=gpt)
    assert (history.price_input, history.source, history.valid_to) == (Decimal("2.5"), "litellm", None)


def test_providers_model_ids_and_kinds(db):
    run(SAMPLE)
    assert offering("vercel", "anthropic/claude-3.5-sonnet")  # "vercel_ai_gateway/" prefix removed
    assert offering("google-vertex", "claude-3-5-haiku@20241022")  # "vertex_ai/" of vertex_ai-anthropic_models
    assert offering("google", "gemini-2.5-flash")
    assert offering("amazon-bedrock", "anthropic.claude-3-5-sonnet-20240620-v1:0")
    kinds = dict(Provider.objects.values_list("slug", "kind"))
    assert kinds["amazon-bedrock"] == kinds["azure"] == kinds["google-vertex"] == Provider.Kind.CLOUD
    assert kinds["ollama"] == Provider.Kind.LOCAL
    assert kinds["openai"] == kinds["codestral"] == Provider.Kind.API
    names = dict(Provider.objects.values_list("slug", "name"))
    assert names["amazon-bedrock"] == "Amazon Bedrock" and names["codestral"] == "Codestral (Mistral)"


@pytest.mark.parametrize(
    ("litellm_provider", "slug"),
    [
        ("vertex_ai-language-models", "google-vertex"),
        ("vertex_ai-anthropic_models", "google-vertex"),
        ("bedrock", "amazon-bedrock"),
        ("bedrock_converse", "amazon-bedrock"),
        ("gemini", "google"),
        ("together_ai", "togetherai"),
        ("fireworks_ai", "fireworks-ai"),
        ("cohere_chat", "cohere"),
        ("openrouter", "openrouter"),
        ("xai", "xai"),
        ("some_new_cloud", "some-new-cloud"),
    ],
)
def test_provider_aliases(litellm_provider, slug):
    assert litellm.provider_slug(litellm_provider) == slug


@pytest.mark.parametrize(
    ("key", "litellm_provider", "model_id"),
    [
        ("openrouter/anthropic/claude-3.5-sonnet", "openrouter", "anthropic/claude-3.5-sonnet"),
        ("gpt-4o", "openai", "gpt-4o"),
        ("vertex_ai/claude-3-5-haiku@20241022", "vertex_ai-anthropic_models", "claude-3-5-haiku@20241022"),
        ("bedrock/moonshotai.kimi-k2.5", "bedrock_converse", "moonshotai.kimi-k2.5"),
        ("amazon-nova/nova-pro-v1", "amazon_nova", "nova-pro-v1"),
        (
            "together_ai/meta-llama/Llama-3.3-70B-Instruct-Turbo",
            "together_ai",
            "meta-llama/Llama-3.3-70B-Instruct-Turbo",
        ),
        ("groq/openai/gpt-oss-120b", "groq", "openai/gpt-oss-120b"),
        ("meta-llama/Llama-3-8b", "deepinfra", "meta-llama/Llama-3-8b"),
    ],  # not its prefix: kept whole
)
def test_model_id_is_the_key_without_the_provider_prefix(key, litellm_provider, model_id):
    assert litellm.model_id_for(key, litellm_provider) == model_id


def test_flags_map_to_variant_values_and_a_missing_flag_stays_unknown(db):
    run(SAMPLE)
    gpt = offering("openai", "gpt-4o").variant
    assert gpt.input_modalities == ["text", "image", "pdf"]
    assert gpt.output_modalities == ["text"]
    assert (gpt.tool_calling, gpt.structured_output) == (True, True)
    assert gpt.reasoning is None  # gpt-4o has no supports_reasoning flag: unknown, not false

    bare = offering("ollama", "llama3").variant  # no supports_* flag at all
    assert bare.input_modalities == []
    assert (bare.tool_calling, bare.reasoning, bare.structured_output) == (None, None, None)
    assert bare.output_modalities == ["text"]

    codestral = offering("codestral", "codestral-2405").variant  # only supports_tool_choice
    assert codestral.tool_calling is True
    assert codestral.input_modalities == [] and codestral.reasoning is None

    o3 = offering("azure", "o3-mini").variant  # supports_vision: false and no other modality flag
    assert o3.input_modalities == ["text"]
    assert o3.reasoning is True

    audio = offering("openai", "gpt-audio").variant  # audio in and out, vision false
    assert audio.input_modalities == ["text", "audio"]
    assert audio.output_modalities == ["text", "audio"]
    assert (audio.reasoning, audio.structured_output) == (False, False)

    gemini = offering("google", "gemini-2.5-flash").variant
    assert gemini.input_modalities == ["text", "image", "audio", "pdf"]
    listing = Listing.objects.get(key="ollama/llama3")
    assert "variant.tool_calling" not in listing.values  # what the source did not say is not recorded


def test_a_past_deprecation_date_makes_the_offering_deprecated(db):
    run(SAMPLE)
    assert offering("codestral", "codestral-2405").status == Offering.Status.DEPRECATED  # 2025-06-16
    assert offering("azure", "o3-mini").status == Offering.Status.ACTIVE  # 2026-11-19, after TODAY
    assert offering("openai", "gpt-4o").status == Offering.Status.ACTIVE


def test_deprecation_is_read_against_the_day_of_the_run(sample):
    raw = json.dumps({"azure/o3-mini": sample["azure/o3-mini"]}).encode()
    before, *_ = litellm.parse(raw, "x.json", today=date(2026, 11, 18))
    on, *_ = litellm.parse(raw, "x.json", today=date(2026, 11, 19))
    assert before[0].offering["status"] == Offering.Status.ACTIVE
    assert on[0].offering["status"] == Offering.Status.DEPRECATED


# --- Behaviour of every import command ------------------------------------------------------


def test_a_second_run_changes_nothing_and_says_so(db):
    run(SAMPLE)
    before = snapshot()
    out = run(SAMPLE)
    assert snapshot() == before
    assert "No change: the catalog already matches the source." in out
    counts = ImportRun.objects.filter(source="litellm").first().counts
    assert counts["offerings"] == {"created": 0, "updated": 0, "unchanged": len(CHAT_KEYS)}
    assert counts["listings"]["created"] == counts["listings"]["updated"] == 0


def test_dry_run_writes_nothing(db):
    out = run(SAMPLE, "--dry-run")
    assert "Dry run: nothing was written." in out and "Would change the catalog." in out
    assert "offerings: 11 created" in out
    assert all(not rows for rows in snapshot().values())
    assert ImportRun.objects.get().status == ImportRun.Status.DRY_RUN


def test_dry_run_after_a_real_run_would_change_nothing(db, tmp_path, sample):
    run(SAMPLE)
    before = snapshot()
    sample["gpt-4o"]["input_cost_per_token"] = 3e-06
    out = run(write(tmp_path, sample), "--dry-run")
    assert "Would change the catalog." in out and "offerings: 0 created, 1 updated" in out
    assert snapshot() == before


def test_a_price_change_keeps_the_old_price_in_the_history(db, tmp_path, sample):
    run(SAMPLE)
    sample["gpt-4o"]["input_cost_per_token"] = 3e-06
    run(write(tmp_path, sample))
    gpt = offering("openai", "gpt-4o")
    assert gpt.price_input == Decimal("3.000000")
    history = list(PriceRecord.objects.filter(offering=gpt).order_by("valid_from", "pk"))
    assert [(r.price_input, r.valid_to is None) for r in history] == [(Decimal("2.5"), False), (Decimal(3), True)]


def test_an_entry_that_disappears_is_marked_not_listed(db, tmp_path, sample):
    run(SAMPLE)
    del sample["ollama/llama3"]
    out = run(write(tmp_path, sample))
    assert "no longer listed: 1" in out
    llama = offering("ollama", "llama3")
    assert not llama.listed and not Listing.objects.get(key="ollama/llama3").listed


def test_shares_offerings_with_modelsdev_and_shows_disagreements(db, tmp_path, sample):
    call_command("import_modelsdev", stdout=io.StringIO())
    run(SAMPLE)
    gpt = offering("openai", "gpt-4o")
    assert Offering.objects.filter(provider__slug="openai", model_id="gpt-4o").count() == 1
    assert set(gpt.listings.values_list("source", flat=True)) == {"models.dev", "litellm"}
    vercel = offering("vercel", "anthropic/claude-3.5-sonnet")
    assert set(vercel.listings.values_list("source", flat=True)) == {"models.dev", "litellm"}
    assert gpt.origin == "models.dev"  # models.dev came first; LiteLLM only adds what was unknown

    # A deterministic disagreement: LiteLLM says something else than models.dev about the input price.
    modelsdev_price = Decimal(Listing.objects.get(source="models.dev", key="openai/gpt-4o").values["price_input"])
    litellm_price = modelsdev_price + 1
    sample["gpt-4o"]["input_cost_per_token"] = float(litellm_price / 1_000_000)
    out = run(write(tmp_path, sample))
    assert "disagreements: 1 created" in out
    disagreement = Disagreement.objects.get(offering=gpt, field="price_input")
    assert disagreement.values == {
        "litellm": format(litellm_price.normalize(), "f"),
        "models.dev": format(modelsdev_price.normalize(), "f"),
    }
    assert offering("openai", "gpt-4o").price_input == modelsdev_price  # the offering keeps its own source's price

    # When LiteLLM agrees again, the disagreement goes.
    run(SAMPLE)
    assert not Disagreement.objects.filter(offering=gpt, field="price_input").exists()


# --- Bad input ------------------------------------------------------------------------------


def _set(key, field, value):
    return lambda d: d[key].update({field: value})


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (_set("gpt-4o", "input_cost_per_token", -2.5e-06), "gpt-4o input_cost_per_token: negative price"),
        (
            _set("gpt-4o", "output_cost_per_token", "free"),
            "gpt-4o output_cost_per_token: a price must be a number, not 'free'",
        ),
        (
            _set("gpt-4o", "cache_read_input_token_cost", "1.25e-06"),
            "gpt-4o cache_read_input_token_cost: a price must be a number",
        ),
        (
            _set("ollama/llama3", "max_input_tokens", "8k"),
            "ollama/llama3 max_input_tokens: a token count must be a whole number, not '8k'",
        ),
        (_set("ollama/llama3", "max_output_tokens", 81.5), "ollama/llama3 max_output_tokens: a token count"),
        (
            _set("azure/o3-mini", "supports_vision", "no"),
            "azure/o3-mini supports_vision: expected true, false or absent",
        ),
        (
            _set("azure/o3-mini", "deprecation_date", "19/11/2026"),
            "azure/o3-mini deprecation_date: expected YYYY-MM-DD",
        ),
        (
            _set("azure/o3-mini", "deprecation_date", "2026-02-30"),
            "azure/o3-mini deprecation_date: '2026-02-30' is not a real date",
        ),
        (_set("gpt-4o", "litellm_provider", None), "gpt-4o litellm_provider: expected a provider name"),
        (_set("gpt-4o", "mode", 3), "gpt-4o mode: expected text"),
        (lambda d: d.update({"gpt-4o": "oops"}), "gpt-4o: expected an object, not str"),
        (lambda d: d.update({"gpt-4o": None}), "gpt-4o: expected an object, not NoneType"),
    ],
)
def test_bad_input_names_the_key_and_field_and_writes_nothing(db, tmp_path, sample, mutate, message):
    run(SAMPLE)
    before = snapshot()
    mutate(sample)
    path = write(tmp_path, sample)
    with pytest.raises(CommandError) as error:
        run(path)
    assert message in str(error.value)
    assert str(path) in str(error.value)
    assert snapshot() == before
    assert ImportRun.objects.filter(source="litellm").first().status == ImportRun.Status.FAILED


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"gpt-4o": {"mode": "chat",}}', "malformed JSON at line 1, column 27"),
        (SAMPLE.read_text()[:2000], "malformed JSON at line 46, column 4"),  # a truncated download
        ('{\n  "gpt-4o": {"mode": "chat"},\n  "gpt-4o": {"mode": "chat"}\n}', "duplicate key 'gpt-4o'"),
        ("[1, 2]", "expected an object of model keys at the top level"),
    ],
)
def test_malformed_files_are_refused(db, tmp_path, text, message):
    run(SAMPLE)
    before = snapshot()
    with pytest.raises(CommandError) as error:
        run(write(tmp_path, text))
    assert message in str(error.value)
    assert snapshot() == before


def test_an_unknown_mode_is_skipped_not_refused(db, tmp_path, sample):
    sample["gpt-4o"]["mode"] = "telepathy"
    run(write(tmp_path, sample))
    assert "skipped 1 entry with mode 'telepathy': only chat models are imported" in ImportRun.objects.get().notes
    assert not Offering.objects.filter(model_id="gpt-4o").exists()


def test_a_missing_file_is_a_clear_error(db, tmp_path):
    with pytest.raises(CommandError, match="cannot read"):
        run(tmp_path / "nope.json")


# --- The whole file -------------------------------------------------------------------------


def test_the_full_file_loads_every_chat_entry_or_names_it(db, litellm_json):
    path = litellm_json
    document = json.loads(path.read_text())
    chat = {
        key
        for key, model in document.items()
        if key != "sample_spec" and isinstance(model, dict) and model.get("mode") == "chat"
    }
    run(path)
    loaded = set(Listing.objects.filter(source="litellm").values_list("key", flat=True))
    notes = ImportRun.objects.get(source="litellm").notes
    named = {key for key in chat - loaded if any(f"skipped key {key!r}:" in note for note in notes)}
    assert loaded <= chat
    assert chat == loaded | named, sorted(chat - loaded - named)[:20]
    assert Offering.objects.filter(listings__source="litellm").distinct().count() == len(loaded)
    out = run(path)
    assert "No change" in out
