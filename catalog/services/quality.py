"""Data quality: small rules that find what is wrong, missing or stale, and the findings they keep.

Each rule is a function registered with `@rule(...)`: a code (its name), a title, a severity and an
area. It reads a `Snapshot` (flat rows fetched with values_list, one query per kind of row, shared
by every rule) and yields `Found` items: a subject, a message a curator understands, a link to the
admin page that fixes it, and the evidence it judged. So the number of queries is fixed, whatever
the size of the catalog or the number of rules.

`run_checks()` evaluates the rules and refreshes the `Finding` rows: new findings open, findings no
longer found are resolved, and a dismissed finding stays dismissed while its evidence (hashed into
`fingerprint`) is unchanged. `dismiss()` and `reopen()` are the curator's actions.

docs/data-quality.md describes every rule for curators.
"""

from __future__ import annotations

import hashlib
import inspect
import json
import re
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from functools import cached_property

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Max, Q
from django.db.models.fields.json import KT
from django.urls import reverse
from django.utils import timezone

from catalog.models import (
    PRICE_FIELD_NAMES,
    Disagreement,
    Family,
    FamilyTag,
    FAQEntry,
    FieldLock,
    Finding,
    ImportRun,
    Listing,
    Offering,
    Provider,
    Source,
    Status,
    Variant,
)
from catalog.services.guidance import format_price, join_words
from catalog.services.markdown import CITATION

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
    return reverse(f"admin:catalog_{model._meta.model_name}_change", args=[pk])


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


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def _source(name: str) -> str:
    return SOURCE_LABELS.get(name, name)


def _day(value: datetime | date | None) -> str:
    if value is None:
        return "never"
    if isinstance(value, datetime):
        value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value.isoformat()


# --- The data every rule reads: flat rows, one query per kind, fetched on first use ----------


class Snapshot:
    """The catalog as flat rows. Each property runs one query the first time a rule asks for it.

    Rows come in id order (no joins for Meta.ordering), so findings come out in a stable order.
    """

    def __init__(self, now: datetime | None = None, stale_days: int | None = None, family_ids=None):
        # family_ids: only these families' offerings and listings are read (a check after a curator's save).
        self.family_ids = None if family_ids is None else set(family_ids)
        self.now = now or timezone.now()
        self.today = timezone.localdate(self.now) if timezone.is_aware(self.now) else self.now.date()
        self.stale_days = stale_after_days() if stale_days is None else stale_days
        self.stale_before = self.now - timedelta(days=self.stale_days)

    @cached_property
    def families(self) -> dict:
        rows = self._scoped(Family.objects, "id").order_by("id").values_list(
            "id", "name", "slug", "about", "published", "creator__slug", named=True)
        return {row.id: row for row in rows}

    @cached_property
    def family_tags(self) -> dict[int, list]:
        tags = defaultdict(list)
        for row in self._scoped(FamilyTag.objects, "family_id").values_list("family_id", "tag__name", "tag__kind", named=True):
            tags[row.family_id].append(row)
        return tags

    @cached_property
    def sources(self) -> list:
        return list(self._scoped(Source.objects, "family_id").values_list("id", "family_id", "number", "title", "date_checked", named=True))

    @cached_property
    def source_numbers(self) -> dict[int, set[int]]:
        numbers = defaultdict(set)
        for row in self.sources:
            numbers[row.family_id].add(row.number)
        return numbers

    @cached_property
    def faq_answers(self) -> dict[int, list[str]]:
        answers = defaultdict(list)
        for family_id, answer in self._scoped(FAQEntry.objects, "family_id").values_list("family_id", "answer"):
            answers[family_id].append(answer)
        return answers

    @cached_property
    def variants(self) -> dict:
        variants = Variant.objects
        if self.family_ids is not None:  # and the successors of theirs that other families hold
            variants = variants.filter(Q(family_id__in=self.family_ids) | Q(replaces__family_id__in=self.family_ids))
        rows = variants.distinct().order_by("id").values_list(
            "id", "family_id", "name", "status", "release_date", "context_window", "parameters", "open_weights",
            "input_modalities", "retirement_date", "replaced_by_id", named=True,
        )
        return {row.id: row for row in rows}

    @cached_property
    def variants_by_family(self) -> dict[int, list]:
        by_family = defaultdict(list)
        for row in self.variants.values():
            by_family[row.family_id].append(row)
        return by_family

    @cached_property
    def providers(self) -> dict:
        return {row.id: row for row in Provider.objects.values_list("id", "name", "slug", "kind", named=True)}

    @cached_property
    def offerings(self) -> dict:
        rows = self._scoped(Offering.objects, "variant__family_id").order_by("id").values_list(
            "id", "variant_id", "provider_id", "model_id", "price_input", "price_output", "price_cache_read",
            "price_cache_write", "price_checked", "status", "listed", "delisted_at", named=True,
        )
        return {row.id: row for row in rows}

    @cached_property
    def offerings_by_variant(self) -> dict[int, list]:
        by_variant = defaultdict(list)
        for row in self.offerings.values():
            by_variant[row.variant_id].append(row)
        return by_variant

    @cached_property
    def listings_by_offering(self) -> dict[int, list]:
        """What each source says of each offering; only the fields the rules read (prices as text)."""
        rows = self._scoped(Listing.objects, "offering__variant__family_id").order_by("id").annotate(
            said_input=KT("values__price_input"), said_output=KT("values__price_output"),
        ).values_list("offering_id", "source", "key", "listed", "delisted_at", "match", "match_note", "said_input",
                      "said_output", named=True)
        by_offering = defaultdict(list)
        for row in rows:
            by_offering[row.offering_id].append(row)
        return by_offering

    @cached_property
    def disagreements(self) -> list:
        return list(self._scoped(Disagreement.objects, "offering__variant__family_id").filter(field__in=PRICE_FIELD_NAMES)
                    .values_list("offering_id", "field", "values", named=True))

    @cached_property
    def import_runs(self) -> dict:
        """Per source: when its last successful run finished, and when its last failed run started."""
        rows = ImportRun.objects.values("source").annotate(
            last_ok=Max("finished_at", filter=Q(status=ImportRun.Status.SUCCEEDED)),
            last_failed=Max("started_at", filter=Q(status=ImportRun.Status.FAILED)),
        ).order_by()
        return {row["source"]: row for row in rows}

    @cached_property
    def family_locked_variants(self) -> set[int]:
        """Variants whose family a curator set by hand (a FieldLock): their family is decided."""
        content_type = ContentType.objects.get_for_model(Variant)
        return set(FieldLock.objects.filter(content_type=content_type, field="family")
                   .values_list("object_id", flat=True))

    # Helpers shared by rules ---------------------------------------------------------------

    def _scoped(self, queryset, family_path: str):
        return queryset if self.family_ids is None else queryset.filter(**{f"{family_path}__in": self.family_ids})

    def family_name(self, family_id) -> str:
        family = self.families.get(family_id)
        return family.name if family else "?"

    def offering_label(self, offering) -> str:
        return f"{offering.model_id} at {self.providers[offering.provider_id].name}"

    def offering_ids(self, offering) -> dict:
        variant = self.variants[offering.variant_id]
        return {"family_id": variant.family_id, "variant_id": variant.id, "offering_id": offering.id}


def _in_family(data: Snapshot, variant) -> str:
    """“Claude Haiku 3.5 (Claude Haiku)”; the variant's name alone when the family's adds nothing."""
    family = data.family_name(variant.family_id)
    return variant.name if variant.name.lower() == family.lower() else f"{variant.name} ({family})"


def _variant_ids(variant) -> dict:
    return {"family_id": variant.family_id, "variant_id": variant.id}


# --- Modalities and specs --------------------------------------------------------------------


def _vision_evidence(data: Snapshot, family) -> str:
    """Why a family is a vision family: a use case or strength that says so, or its name."""
    for tag in data.family_tags.get(family.id, []):
        if VISION_TAG.search(tag.tag__name):
            kind = "use case" if tag.tag__kind == "use_case" else "strength"
            return f"its {kind} “{tag.tag__name}”"
    if VISION_NAME.search(family.name) or VISION_NAME.search(family.slug):
        return f"its name “{family.name}”"
    return ""


@rule("modalities-contradict-family", "Modalities contradict the family", Severity.ERROR, "modalities")
def modalities_contradict_family(data: Snapshot) -> Iterator[Found]:
    """A variant says it reads no images in a family that is about vision (by a use case or strength
    such as “vision and multimodal work”, or a name such as LLaVA, Pixtral, …-VL). Unknown modalities
    (none ticked) are not a contradiction."""
    for family in data.families.values():
        evidence = _vision_evidence(data, family)
        if not evidence:
            continue
        for variant in data.variants_by_family.get(family.id, []):
            inputs = list(variant.input_modalities)
            if not inputs or "image" in inputs:
                continue
            said = join_words(inputs)
            yield Found(
                subject=f"variant:{variant.id}",
                message=(f"{variant.name} takes {said} input only, but {family.name} is a vision family "
                         f"({evidence}). Tick Image in its input modalities if it reads images; dismiss with "
                         "the reason if it really does not."),
                fix_url=admin_change_url(Variant, variant.id),
                evidence={"input": inputs, "family": evidence},
                public_note=(f"Vision support of {variant.name} is unverified: it is listed with {said} input "
                             f"only, in a family described as vision-capable."),
                **_variant_ids(variant),
            )


@rule("modalities-unlike-siblings", "Modalities unlike the family's other variants", Severity.INFO, "modalities")
def modalities_unlike_siblings(data: Snapshot) -> Iterator[Found]:
    """A variant reads no images while at least three quarters of its family's other variants (four or
    more with known modalities) do. Often a source's omission; sometimes a real text-only model."""
    for family in data.families.values():
        if _vision_evidence(data, family):
            continue  # modalities-contradict-family covers it
        known = [v for v in data.variants_by_family.get(family.id, []) if v.input_modalities]
        for variant in known:
            if "image" in variant.input_modalities:
                continue
            others = [v for v in known if v.id != variant.id]
            with_images = sum(1 for v in others if "image" in v.input_modalities)
            if len(others) < SIBLING_MINIMUM or with_images < SIBLING_SHARE * len(others):
                continue
            yield Found(
                subject=f"variant:{variant.id}",
                message=(f"{variant.name} takes {join_words(list(variant.input_modalities))} input only, while "
                         f"{with_images} of the {len(others)} other {family.name} variants read images. "
                         "Check its input modalities."),
                fix_url=admin_change_url(Variant, variant.id),
                evidence={"input": list(variant.input_modalities), "family": family.id},
                **_variant_ids(variant),
            )


@rule("missing-specs", "Key specs missing", Severity.WARNING, "specs")
def missing_specs(data: Snapshot) -> Iterator[Found]:
    """A current or legacy variant without a context window or a release date, or an open-weights
    variant without its parameter count: the spec tables show “—” and the guidance has less to say."""
    for variant in data.variants.values():
        if variant.status not in LISTED_STATUSES:
            continue
        missing = []
        if variant.context_window is None:
            missing.append("context window")
        if variant.release_date is None:
            missing.append("release date")
        if variant.open_weights and variant.parameters is None:
            missing.append("parameter count (it has open weights)")
        if missing:
            yield Found(
                subject=f"variant:{variant.id}",
                message=f"{_in_family(data, variant)} has no {join_words(missing)}.",
                fix_url=admin_change_url(Variant, variant.id),
                evidence=missing,
                **_variant_ids(variant),
            )


# --- Prices -------------------------------------------------------------------------------


def _serving(data: Snapshot, offering) -> bool:
    """Offered now, and of a variant visitors are shown."""
    variant = data.variants[offering.variant_id]
    return offering.listed and offering.status in SERVING and variant.status in LISTED_STATUSES


@rule("price-missing", "Price missing at a paid provider", Severity.WARNING, "prices")
def price_missing(data: Snapshot) -> Iterator[Found]:
    """An active offering at a provider that bills per token (an API or a cloud platform) has no input
    or no output price, so the page says “the catalog has no price for it”. Local runtimes are free."""
    for offering in data.offerings.values():
        provider = data.providers[offering.provider_id]
        if provider.kind not in BILLING_KINDS or not _serving(data, offering):
            continue
        missing = [label for name, label in (("price_input", "input"), ("price_output", "output"))
                   if getattr(offering, name) is None]
        if missing:
            yield Found(
                subject=f"offering:{offering.id}",
                message=(f"{data.offering_label(offering)} ({Provider.Kind(provider.kind).label}) has no "
                         f"{join_words(missing)} price, so visitors read that the catalog has none."),
                fix_url=admin_change_url(Offering, offering.id),
                evidence=missing,
                **data.offering_ids(offering),
            )


@rule("price-zero-unsourced", "Zero price no source gives", Severity.WARNING, "prices")
def price_zero_unsourced(data: Snapshot) -> Iterator[Found]:
    """An offering shows an input or output price of $0, but no source that lists it says 0 (and its
    model id does not say “free”): a price typed as 0 for “unknown”, or a curator value a source
    contradicts."""
    for offering in data.offerings.values():
        if FREE_ID.search(offering.model_id) or not _serving(data, offering):
            continue
        listings = [row for row in data.listings_by_offering.get(offering.id, []) if row.listed]
        zero = []
        for name, said_attr, label in (("price_input", "said_input", "input"),
                                       ("price_output", "said_output", "output")):
            if getattr(offering, name) != 0:
                continue
            said = [_decimal(getattr(row, said_attr)) for row in listings]
            if any(value == 0 for value in said):
                continue
            others = [f"{_source(row.source)} says {_price(value)}"
                      for row, value in zip(listings, said, strict=True) if value is not None]
            zero.append((label, others))
        if zero:
            labels = join_words([label for label, _ in zero])
            sources = "; ".join(text for _, others in zero for text in others)
            yield Found(
                subject=f"offering:{offering.id}",
                message=(f"{data.offering_label(offering)} shows a $0 {labels} price, but no source says it is "
                         f"free{f' ({sources})' if sources else ''}. Enter the real price, or clear it if unknown."),
                fix_url=admin_change_url(Offering, offering.id),
                evidence={"zero": [label for label, _ in zero], "sources": [o for _, others in zero for o in others]},
                public_note=(f"The $0 {labels} price at {data.providers[offering.provider_id].name} is "
                             "unverified: no source says the model is free there."),
                **data.offering_ids(offering),
            )


@rule("price-input-above-output", "Input priced far above output", Severity.WARNING, "prices")
def price_input_above_output(data: Snapshot) -> Iterator[Found]:
    """An offering's input price is more than twice its output price. Output tokens almost always cost
    more than input tokens, so the two are probably swapped or one is wrong."""
    for offering in data.offerings.values():
        low, high = offering.price_output, offering.price_input
        if not low or not high or high <= INPUT_OVER_OUTPUT_FACTOR * low or not _serving(data, offering):
            continue
        yield Found(
            subject=f"offering:{offering.id}",
            message=(f"{data.offering_label(offering)}: input {_price(high)} is {_times(high / low)} the output "
                     f"{_price(low)} per million tokens. Check whether the two prices are swapped."),
            fix_url=admin_change_url(Offering, offering.id),
            evidence=[str(high), str(low)],
            public_note=(f"Prices at {data.providers[offering.provider_id].name} are unverified: input is "
                         "priced far above output."),
            **data.offering_ids(offering),
        )


@rule("price-sources-disagree", "Sources' prices more than 3× apart", Severity.ERROR, "prices")
def price_sources_disagree(data: Snapshot) -> Iterator[Found]:
    """Two sources give prices for the same offering that are more than three times apart (or one
    says free and the other does not). Both values are in admin → Disagreements; the offering shows
    the price of the source that created it."""
    for row in data.disagreements:
        offering = data.offerings.get(row.offering_id)
        said = {source: _decimal(value) for source, value in sorted(row.values.items())}
        said = {source: value for source, value in said.items() if value is not None}
        if offering is None or len(said) < 2:
            continue
        low, high = min(said.values()), max(said.values())
        if high == 0 or (low and high <= PRICE_SPREAD_FACTOR * low):
            continue
        side_by_side = ", ".join(f"{_source(source)} says {_price(value)}" for source, value in said.items())
        yield Found(
            subject=f"offering:{offering.id}:{row.field}",
            message=(f"{data.offering_label(offering)}: sources disagree on the {FIELD_LABELS[row.field]} "
                     f"({side_by_side}; {_ratio(low, high)}). Set the right price; your edit is kept by "
                     "later imports."),
            fix_url=admin_change_url(Offering, offering.id),
            evidence={source: str(value) for source, value in said.items()},
            **data.offering_ids(offering),
        )


@rule("price-providers-spread", "Providers' prices more than 3× apart", Severity.INFO, "prices")
def price_providers_spread(data: Snapshot) -> Iterator[Found]:
    """The cheapest and the dearest provider of one variant charge more than three times apart for
    input or for output. Resellers differ, but a wide spread is often a unit error (per token, per
    thousand) or a different model behind the same name."""
    for variant_id, offerings in data.offerings_by_variant.items():
        serving = [o for o in offerings if _serving(data, o)]
        for name in ("price_input", "price_output"):
            priced = sorted((getattr(o, name), data.providers[o.provider_id].name, o.model_id, o.id)
                            for o in serving if getattr(o, name))
            if len({p[1] for p in priced}) < 2:
                continue
            low, high = priced[0], priced[-1]
            if high[0] <= PRICE_SPREAD_FACTOR * low[0]:
                continue
            variant = data.variants[variant_id]
            yield Found(
                subject=f"variant:{variant_id}:{name}",
                message=(f"{variant.name}: the {FIELD_LABELS[name]} runs from {_price(low[0])} ({low[2]} at "
                         f"{low[1]}) to {_price(high[0])} ({high[2]} at {high[1]}), {_ratio(low[0], high[0])}, "
                         f"across {len(priced)} offerings. Check the outliers."),
                fix_url=admin_change_url(Variant, variant_id),
                evidence=[[str(low[0]), low[3]], [str(high[0]), high[3]]],
                **_variant_ids(variant),
            )


# --- Staleness ----------------------------------------------------------------------------


@rule("not-seen-by-last-import", "No source lists it any more", Severity.WARNING, "staleness")
def not_seen_by_last_import(data: Snapshot) -> Iterator[Found]:
    """Every source that listed an offering stopped listing it (its last import did not see it), yet
    the offering is still shown as active or preview. Mark it deprecated or retired, or check the
    provider: it may have been renamed."""
    for offering in data.offerings.values():
        listings = data.listings_by_offering.get(offering.id, [])
        if offering.listed or offering.status not in SERVING or not listings or any(r.listed for r in listings):
            continue
        stopped = join_words([f"{_source(r.source)} since {_day(r.delisted_at)}" for r in listings])
        yield Found(
            subject=f"offering:{offering.id}",
            message=(f"{data.offering_label(offering)} is no longer listed by any source ({stopped}), but it "
                     f"is still shown as {offering.status}. Mark it deprecated or retired if it is gone."),
            fix_url=admin_change_url(Offering, offering.id),
            evidence=sorted([r.source, _day(r.delisted_at)] for r in listings),
            public_note=(f"{data.providers[offering.provider_id].name} may no longer offer this model: no source "
                         f"has listed {offering.model_id} since {_day(offering.delisted_at)}."),
            **data.offering_ids(offering),
        )


@rule("source-import-stale", "Source not imported recently", Severity.WARNING, "staleness")
def source_import_stale(data: Snapshot) -> Iterator[Found]:
    """A source the catalog lists offerings from has had no successful import for more than
    CATALOG_STALE_AFTER_DAYS days (90 by default), so its prices and limits may be out of date."""
    counts = Counter(row.source for rows in data.listings_by_offering.values() for row in rows if row.listed)
    for source, listed in sorted(counts.items()):
        runs = data.import_runs.get(source, {})
        last_ok, last_failed = runs.get("last_ok"), runs.get("last_failed")
        if last_ok is not None and last_ok >= data.stale_before:
            continue
        age = f"{(data.now - last_ok).days} days ago" if last_ok else "never"
        failed = (f" The last attempt, on {_day(last_failed)}, failed."
                  if last_failed and (last_ok is None or last_failed > last_ok) else "")
        command = IMPORT_COMMANDS.get(source, "the import")
        yield Found(
            subject=f"import:{source}",
            message=(f"The last successful {_source(source)} import finished {age} (the limit is "
                     f"{data.stale_days} days); {listed:,} listings rely on it.{failed} Run "
                     f"`manage.py {command}`."),
            fix_url=admin_list_url(ImportRun, source__exact=source),
            evidence={"last_ok": _day(last_ok), "last_failed": _day(last_failed)},
        )


@rule("offering-not-checked", "Curated price not confirmed recently", Severity.INFO, "staleness")
def offering_not_checked(data: Snapshot) -> Iterator[Found]:
    """An offering no source lists (entered by a curator or the seed) has prices that nobody has
    confirmed within CATALOG_STALE_AFTER_DAYS days: set “price checked” after checking them."""
    for offering in data.offerings.values():
        if data.listings_by_offering.get(offering.id) or not _serving(data, offering):
            continue
        if all(getattr(offering, name) is None for name in PRICE_FIELD_NAMES):
            continue  # price-missing covers offerings without prices
        checked = offering.price_checked
        if checked is not None and checked >= data.stale_before.date():
            continue
        when = f"last confirmed {checked.isoformat()}" if checked else "never confirmed"
        yield Found(
            subject=f"offering:{offering.id}",
            message=(f"The prices of {data.offering_label(offering)} come from no source and were {when}. "
                     "Check them with the provider and set “price checked”."),
            fix_url=admin_change_url(Offering, offering.id),
            evidence=_day(checked),
            public_note=(f"Prices at {data.providers[offering.provider_id].name} are unverified: "
                         f"{when} by a curator."),
            **data.offering_ids(offering),
        )


@rule("source-not-checked", "Citation not checked recently", Severity.INFO, "staleness")
def source_not_checked(data: Snapshot) -> Iterator[Found]:
    """A family's source (a citation) has no “date checked”, or was checked more than
    CATALOG_STALE_AFTER_DAYS days ago: confirm it still says what the about text cites."""
    for source in data.sources:
        checked = source.date_checked
        if checked is not None and checked >= data.stale_before.date():
            continue
        when = f"last checked {checked.isoformat()}" if checked else "never checked"
        yield Found(
            subject=f"source:{source.id}",
            message=(f"Source [{source.number}] of {data.family_name(source.family_id)}, “{source.title}”, was "
                     f"{when}. Open it, confirm it, and set the date checked."),
            fix_url=admin_change_url(Source, source.id),
            evidence=_day(checked),
            family_id=source.family_id,
        )


# --- Lifecycle ----------------------------------------------------------------------------


@rule("ended-without-successor", "Deprecated or retired without a successor", Severity.WARNING, "lifecycle")
def ended_without_successor(data: Snapshot) -> Iterator[Found]:
    """A deprecated or retired variant does not say which variant replaces it, so its page cannot
    point visitors to what to use instead."""
    for variant in data.variants.values():
        if variant.status in ENDED_STATUSES and variant.replaced_by_id is None:
            yield Found(
                subject=f"variant:{variant.id}",
                message=(f"{_in_family(data, variant)} is {variant.status} but names "
                         "no successor. Set “replaced by”."),
                fix_url=admin_change_url(Variant, variant.id),
                evidence=variant.status,
                **_variant_ids(variant),
            )


@rule("successor-ended", "Successor is itself retired", Severity.WARNING, "lifecycle")
def successor_ended(data: Snapshot) -> Iterator[Found]:
    """A variant is replaced by a variant that is itself deprecated or retired: visitors would be sent
    from one ended model to another."""
    for variant in data.variants.values():
        successor = data.variants.get(variant.replaced_by_id)
        if successor is None or successor.status not in ENDED_STATUSES:
            continue
        further = data.variants.get(successor.replaced_by_id)
        hint = f" {successor.name} is replaced by {further.name}." if further else ""
        yield Found(
            subject=f"variant:{variant.id}",
            message=(f"{variant.name} is replaced by {successor.name}, which is itself {successor.status}."
                     f"{hint} Point “replaced by” at a current variant."),
            fix_url=admin_change_url(Variant, variant.id),
            evidence=[successor.id, successor.status],
            **_variant_ids(variant),
        )


@rule("retirement-date-passed", "Retirement date passed, still current", Severity.ERROR, "lifecycle")
def retirement_date_passed(data: Snapshot) -> Iterator[Found]:
    """A current or legacy variant has a retirement date in the past: it is probably retired and
    visitors are still offered it."""
    for variant in data.variants.values():
        if variant.status in LISTED_STATUSES and variant.retirement_date and variant.retirement_date < data.today:
            yield Found(
                subject=f"variant:{variant.id}",
                message=(f"{variant.name} was to retire on {variant.retirement_date.isoformat()} but is still "
                         f"marked {variant.status}. Mark it retired (or correct the date)."),
                fix_url=admin_change_url(Variant, variant.id),
                evidence=[variant.status, variant.retirement_date.isoformat()],
                public_note=(f"The status of {variant.name} is unverified: its retirement date, "
                             f"{variant.retirement_date.isoformat()}, has passed."),
                **_variant_ids(variant),
            )


@rule("ended-upstream", "Ended upstream, still current", Severity.WARNING, "lifecycle")
def ended_upstream(data: Snapshot) -> Iterator[Found]:
    """A current variant none of whose providers still offers it: every offering is deprecated or
    retired, or no source lists it any more. The variant is probably legacy, deprecated or retired."""
    for variant_id, offerings in data.offerings_by_variant.items():
        variant = data.variants[variant_id]
        if variant.status != Status.CURRENT:
            continue
        if not any(data.listings_by_offering.get(o.id) for o in offerings):
            continue  # only curated offerings: nothing upstream to compare with
        if any(o.listed and o.status in SERVING for o in offerings):
            continue
        states = Counter("no longer listed" if not o.listed else o.status for o in offerings)
        said = join_words([f"{count} {state}" for state, count in sorted(states.items())])
        yield Found(
            subject=f"variant:{variant_id}",
            message=(f"{variant.name} is current, but none of its {_plural(len(offerings), 'offering')} is available "
                     f"({said}). Mark it legacy, deprecated or retired, with its successor."),
            fix_url=admin_change_url(Variant, variant_id),
            evidence=sorted([o.id, o.status, o.listed] for o in offerings),
            public_note=f"The status of {variant.name} is unverified: its providers no longer offer it.",
            **_variant_ids(variant),
        )


# --- Matching -----------------------------------------------------------------------------


@rule("ambiguous-match", "Import could not place it with confidence", Severity.WARNING, "matching")
def ambiguous_match(data: Snapshot) -> Iterator[Found]:
    """An import placed a variant's offerings with doubt (providers named different families, or the
    id matched several variants). Check the variant's family; a curator's choice of family is locked
    and settles it."""
    notes: dict[int, list] = defaultdict(list)
    for offering_id, rows in data.listings_by_offering.items():
        for row in rows:
            if row.listed and row.match == Listing.Match.AMBIGUOUS:
                notes[data.offerings[offering_id].variant_id].append(row)
    for variant_id, rows in sorted(notes.items()):
        if variant_id in data.family_locked_variants:
            continue
        variant = data.variants[variant_id]
        reasons = sorted({row.match_note or "ambiguous" for row in rows})
        yield Found(
            subject=f"variant:{variant_id}",
            message=(f"{variant.name} was placed in {data.family_name(variant.family_id)} with doubt "
                     f"({'; '.join(reasons)}; {_plural(len(rows), 'listing')}). Check its "
                     "family: choosing one in the admin locks it."),
            fix_url=admin_change_url(Variant, variant_id),
            evidence=sorted([row.source, row.key, row.match_note] for row in rows),
            **_variant_ids(variant),
        )


@rule("family-unattributed", "Family without a creator", Severity.WARNING, "matching")
def family_unattributed(data: Snapshot) -> Iterator[Found]:
    """Every family has a creator: an import that could not tell who makes a model filed its family under
    "Unattributed" (a rare exception). Choose the creator in the admin; the choice is locked."""
    for family in data.families.values():
        if family.creator__slug == "unattributed":
            yield Found(
                subject=f"family:{family.id}",
                message=f"{family.name} has no creator: nothing in the sources names who makes it. Choose one.",
                fix_url=admin_change_url(Family, family.id),
                evidence=None,
                family_id=family.id,
            )


# --- Sources ------------------------------------------------------------------------------


@rule("family-without-source", "Family cites no source", Severity.INFO, "sources")
def family_without_source(data: Snapshot) -> Iterator[Found]:
    """A published family has no source at all, so nothing on its page can be footnoted. (Families an
    import created start without one.)"""
    for family in data.families.values():
        if family.published and not data.source_numbers.get(family.id):
            yield Found(
                subject=f"family:{family.id}",
                message=f"{family.name} cites no source. Add one (title and URL) in its Sources.",
                fix_url=admin_change_url(Family, family.id),
                evidence=None,
                family_id=family.id,
            )


@rule("citation-points-nowhere", "Citation points to no source", Severity.ERROR, "sources")
def citation_points_nowhere(data: Snapshot) -> Iterator[Found]:
    """The about text or a FAQ answer cites [n], but the family has no source number n: the citation
    shows as plain brackets instead of a footnote link."""
    for family in data.families.values():
        texts = [("about text", family.about or "")]
        texts += [("FAQ", answer) for answer in data.faq_answers.get(family.id, [])]
        have = data.source_numbers.get(family.id, set())
        missing: dict[int, set[str]] = defaultdict(set)
        for where, text in texts:
            for match in CITATION.finditer(text):
                number = int(match.group(1))
                if number not in have:
                    missing[number].add(where)
        if missing:
            cited = ", ".join(f"[{n}]" for n in sorted(missing))
            places = join_words(sorted({where for wheres in missing.values() for where in wheres}))
            yield Found(
                subject=f"family:{family.id}",
                message=(f"{family.name}'s {places} cites {cited}, but it has no source with "
                         f"{'that number' if len(missing) == 1 else 'those numbers'}. Add the source or fix "
                         "the citation."),
                fix_url=admin_change_url(Family, family.id),
                evidence=sorted(missing),
                family_id=family.id,
            )


# --- Running the rules and keeping their findings ----------------------------------------------


@dataclass
class RuleSummary:
    rule: Rule
    found: int = 0
    open: int = 0
    dismissed: int = 0
    new: int = 0
    resolved: int = 0
    reopened: int = 0
    seconds: float = 0.0


@dataclass
class CheckReport:
    summaries: list[RuleSummary]
    seconds: float = 0.0
    dry_run: bool = False
    removed_rules: list[str] = field(default_factory=list)

    @property
    def found(self) -> int:
        return sum(s.found for s in self.summaries)

    @property
    def open(self) -> int:
        return sum(s.open for s in self.summaries)

    def open_at_or_above(self, severity: int) -> int:
        return sum(s.open for s in self.summaries if s.rule.severity >= severity)


def select_rules(codes: Iterable[str] | None = None) -> list[Rule]:
    """The rules to run, in registry order; an unknown code raises KeyError naming it."""
    if not codes:
        return list(RULES.values())
    wanted = set(codes)
    unknown = sorted(wanted - set(RULES))
    if unknown:
        raise KeyError(f"unknown rule {', '.join(unknown)}; rules: {', '.join(RULES)}")
    return [r for r in RULES.values() if r.code in wanted]


def evaluate(rules: list[Rule], data: Snapshot) -> dict[str, tuple[list[Found], float]]:
    """Run each rule over the snapshot; a rule that yields one subject twice keeps the first."""
    results = {}
    for r in rules:
        started = time.perf_counter()
        seen, found = set(), []
        for item in r.check(data):
            if item.subject not in seen:
                seen.add(item.subject)
                found.append(item)
        results[r.code] = (found, time.perf_counter() - started)
    return results


def _in_scope(results: dict, scope: set[int] | None) -> dict:
    """Only the findings about the families in scope (all when scope is None)."""
    if scope is None:
        return results
    return {code: ([item for item in found if item.family_id in scope], seconds)
            for code, (found, seconds) in results.items()}


UPDATED_FIELDS = ["severity", "family", "variant", "offering", "message", "public_note", "fix_url", "fingerprint",
                  "state", "changed_at", "resolved_at"]


def run_checks(codes: Iterable[str] | None = None, *, now: datetime | None = None, dry_run: bool = False,
               stale_days: int | None = None, family_ids: Iterable[int] | None = None) -> CheckReport:
    """Run the rules and refresh their findings in one transaction (nothing is written on a dry run).

    New findings open. A finding found again keeps its state, except that a dismissed one reopens when
    its evidence changed; a resolved one opens again (or stays dismissed if its evidence is the one
    the curator dismissed). A finding not found any more is resolved. Findings of rules that no
    longer exist are deleted when every rule runs.

    With `family_ids`, only those families' findings are refreshed (after a curator's save): the
    snapshot reads only their offerings and listings, and findings about other families or about no
    family (a source's import) are left as they are.
    """
    started = time.perf_counter()
    rules = select_rules(codes)
    scope = None if family_ids is None else set(family_ids)
    data = Snapshot(now=now, stale_days=stale_days, family_ids=scope)
    now = data.now
    results = _in_scope(evaluate(rules, data), scope)
    summaries = {r.code: RuleSummary(r, seconds=results[r.code][1]) for r in rules}
    report = CheckReport(list(summaries.values()), dry_run=dry_run)

    with transaction.atomic():
        existing_qs = Finding.objects.all() if not codes else Finding.objects.filter(rule__in=summaries)
        existing_qs = existing_qs if scope is None else existing_qs.filter(family_id__in=scope)
        existing = {(f.rule, f.subject): f for f in existing_qs}
        new, changed = [], []
        for r in rules:
            summary = summaries[r.code]
            found, _ = results[r.code]
            summary.found = len(found)
            for item in found:
                fp = fingerprint(r.code, item.subject, item.evidence)
                values = {"severity": r.severity, "family_id": item.family_id, "variant_id": item.variant_id,
                          "offering_id": item.offering_id, "message": item.message,
                          "public_note": item.public_note, "fix_url": item.fix_url, "fingerprint": fp}
                old = existing.pop((r.code, item.subject), None)
                state = (Finding.State.DISMISSED if old is not None and old.dismissed_fingerprint == fp
                         else Finding.State.OPEN)
                if state == Finding.State.OPEN:
                    summary.open += 1
                else:
                    summary.dismissed += 1
                if old is None:
                    summary.new += 1
                    new.append(Finding(rule=r.code, subject=item.subject, state=state, first_seen_at=now,
                                       changed_at=now, **values))
                    continue
                if old.state != state and state == Finding.State.OPEN:
                    summary.reopened += 1
                dirty = old.state != state or any(getattr(old, name) != value for name, value in values.items())
                if not dirty:
                    continue
                if old.fingerprint != fp:
                    old.changed_at = now
                for name, value in values.items():
                    setattr(old, name, value)
                old.state, old.resolved_at = state, None
                changed.append(old)
        gone_rules = set()
        for (code, _), old in existing.items():
            if code not in RULES:
                if scope is None:
                    gone_rules.add(code)
                continue
            if old.state != Finding.State.RESOLVED:
                old.state, old.resolved_at = Finding.State.RESOLVED, now
                changed.append(old)
                summaries[code].resolved += 1
        report.removed_rules = sorted(gone_rules)
        if not dry_run:
            Finding.objects.bulk_create(new, batch_size=500, ignore_conflicts=True)  # a concurrent run made them
            Finding.objects.bulk_update(changed, UPDATED_FIELDS, batch_size=500)
            if gone_rules:
                Finding.objects.filter(rule__in=gone_rules).delete()
    report.seconds = time.perf_counter() - started
    return report


# --- Curator actions ----------------------------------------------------------------------------


def dismiss(findings, reason: str, user=None, *, now: datetime | None = None) -> int:
    """Dismiss open findings with a reason. Each stays dismissed while its evidence is unchanged."""
    reason = (reason or "").strip()
    if not reason:
        raise ValueError("A dismissal needs a reason.")
    rows = list(findings.filter(state=Finding.State.OPEN))
    now = now or timezone.now()
    for finding in rows:
        finding.state = Finding.State.DISMISSED
        finding.dismissed_reason, finding.dismissed_fingerprint = reason, finding.fingerprint
        finding.dismissed_by = user if user is not None and user.pk else None
        finding.dismissed_at = now
    Finding.objects.bulk_update(rows, ["state", "dismissed_reason", "dismissed_fingerprint", "dismissed_by",
                                       "dismissed_at"], batch_size=500)
    return len(rows)


def reopen(findings) -> int:
    """Undo dismissals: the findings open again now, and a later check keeps them open."""
    return findings.filter(state=Finding.State.DISMISSED).update(
        state=Finding.State.OPEN, dismissed_reason="", dismissed_fingerprint="", dismissed_at=None, dismissed_by=None,
    )


# --- When checks run: after every import, after every curator save --------------------------------


def check_after_commit(family_ids: Iterable[int] | None = None) -> None:
    """Refresh findings once the current transaction commits: all of them (None), or those of some families.

    Imports call it with None (a full run: about 2 s on the real catalog); curator saves with the
    families they touched, which reads only those families' offerings and listings.
    """
    scope = None if family_ids is None else {pk for pk in family_ids if pk is not None}
    if scope is not None and not scope:
        return
    transaction.on_commit(lambda: run_checks(family_ids=scope))
