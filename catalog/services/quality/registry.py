"""The rule registry: a rule's shape, what it finds, the thresholds and the helpers rules share."""

from __future__ import annotations

import hashlib
import inspect
import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import TYPE_CHECKING

from django.conf import settings
from django.urls import get_script_prefix, reverse
from django.utils import timezone

from catalog.formatting import format_price
from catalog.models import (
    Finding,
    Offering,
    Provider,
    Status,
)

if TYPE_CHECKING:
    from .snapshot import Snapshot

Severity = Finding.Severity

# --- Thresholds ---------------------------------------------------------------------------

DEFAULT_STALE_AFTER_DAYS = 90
PRICE_SPREAD_FACTOR = 3  # prices of one thing more than 3x apart are suspicious
INPUT_OVER_OUTPUT_FACTOR = 2  # input is rarely dearer than output; twice as dear is unusual
SIBLING_MINIMUM = 4  # siblings with known modalities needed before they say what a family takes
SIBLING_SHARE = 0.75  # share of those siblings that take images

LISTED_STATUSES = (Status.CURRENT, Status.LEGACY)
ENDED_STATUSES = (Status.DEPRECATED, Status.RETIRED)
SERVING = (Offering.Status.ACTIVE, Offering.Status.PREVIEW)
BILLING_KINDS = (Provider.Kind.API, Provider.Kind.CLOUD)  # providers that charge per token
VISION_TAG = re.compile(r"\b(vision|visual|multimodal|images?)\b", re.IGNORECASE)
VISION_NAME = re.compile(r"(?:^|[\s-])(?:vl|vision|visual|llava|pixtral)(?:$|[\s\d-])", re.IGNORECASE)
FREE_ID = re.compile(r"free", re.IGNORECASE)
IMPORT_COMMANDS = {"models.dev": "import_modelsdev", "litellm": "import_litellm"}
SOURCE_LABELS = {"models.dev": "models.dev", "litellm": "LiteLLM"}
FIELD_LABELS = {
    "price_input": "input price",
    "price_output": "output price",
    "price_cache_read": "cached input price",
    "price_cache_write": "cache write price",
    "context_window": "context window",
    "max_output_tokens": "max output tokens",
}


def stale_after_days() -> int:
    return int(getattr(settings, "CATALOG_STALE_AFTER_DAYS", DEFAULT_STALE_AFTER_DAYS))


# --- Rules -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Found:
    """One thing a rule found. `evidence` is the data it judged: a dismissal holds while it is unchanged."""

    subject: str
    message: str
    fix_url: str
    evidence: object
    family_id: int | None = None
    variant_id: int | None = None
    offering_id: int | None = None
    public_note: str = ""
    suggestion: dict | None = None  # one curator action that fixes it: {"action": "merge" | "attribute", ...}


@dataclass(frozen=True)
class Rule:
    code: str
    title: str
    severity: int
    area: str
    check: Callable[[Snapshot], Iterable[Found]]

    @property
    def description(self) -> str:
        return inspect.getdoc(self.check) or ""

    @property
    def severity_label(self) -> str:
        return Severity(self.severity).label


RULES: dict[str, Rule] = {}


def rule(code: str, title: str, severity: int, area: str):
    """Register a rule function under `code`; its docstring is the description curators read."""

    def register(check):
        if code in RULES:
            raise ValueError(f"two data-quality rules are named {code!r}")
        RULES[code] = Rule(code, title, Severity(severity), area, check)
        return check

    return register


def fingerprint(code: str, subject: str, evidence) -> str:
    text = json.dumps([code, subject, evidence], sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def admin_change_url(model, pk) -> str:
    # A run writes thousands of findings: the URL is reversed once per model and prefix, then filled in.
    return _change_url(model._meta.model_name, get_script_prefix()).replace(str(URL_PLACEHOLDER), str(pk))


URL_PLACEHOLDER = 918273645


@lru_cache(maxsize=64)
def _change_url(model_name: str, _prefix: str) -> str:
    return reverse(f"admin:catalog_{model_name}_change", args=[URL_PLACEHOLDER])


def admin_list_url(model, **params) -> str:
    query = "&".join(f"{key}={value}" for key, value in params.items())
    return reverse(f"admin:catalog_{model._meta.model_name}_changelist") + (f"?{query}" if query else "")


def _price(value) -> str:
    return "—" if value is None else format_price(Decimal(str(value)))


def _decimal(value) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def _times(ratio: Decimal) -> str:
    """16×, 4.7×, 3.03×: enough digits to show that a ratio just above a threshold is above it."""
    if ratio >= 10:
        return f"{ratio:.0f}×"
    return f"{ratio:.2f}".rstrip("0").rstrip(".") + "×"


def _ratio(low: Decimal, high: Decimal) -> str:
    if low == 0:
        return "free against paid"
    return f"{_times(high / low)} apart"


def _source(name: str) -> str:
    return SOURCE_LABELS.get(name, name)


def _day(value: datetime | date | None) -> str:
    if value is None:
        return "never"
    if isinstance(value, datetime):
        value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value.isoformat()
