"""Rules on staleness: offerings no source lists any more, sources not imported, prices and citations unchecked."""

from __future__ import annotations

from collections.abc import Iterator

from catalog.formatting import join_words
from catalog.models import (
    PRICE_FIELD_NAMES,
    ImportRun,
    Offering,
    Source,
)

from .registry import (
    IMPORT_COMMANDS,
    SERVING,
    Found,
    Severity,
    _day,
    _source,
    admin_change_url,
    admin_list_url,
    rule,
)
from .snapshot import (
    Snapshot,
    is_serving,
)


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
            message=(
                f"{data.offering_label(offering)} is no longer listed by any source ({stopped}), but it "
                f"is still shown as {offering.status}. Mark it deprecated or retired if it is gone."
            ),
            fix_url=admin_change_url(Offering, offering.id),
            evidence=sorted([r.source, _day(r.delisted_at)] for r in listings),
            public_note=(
                f"{data.providers[offering.provider_id].name} may no longer offer this model: no source "
                f"has listed {offering.model_id} since {_day(offering.delisted_at)}."
            ),
            **data.offering_ids(offering),
        )


@rule("source-import-stale", "Source not imported recently", Severity.WARNING, "staleness")
def source_import_stale(data: Snapshot) -> Iterator[Found]:
    """A source the catalog lists offerings from has had no successful import for more than
    CATALOG_STALE_AFTER_DAYS days (90 by default), so its prices and limits may be out of date."""
    for source, listed in sorted(data.listed_by_source.items()):
        runs = data.import_runs.get(source, {})
        last_ok, last_failed = runs.get("last_ok"), runs.get("last_failed")
        if last_ok is not None and last_ok >= data.stale_before:
            continue
        age = f"{(data.now - last_ok).days} days ago" if last_ok else "never"
        failed = (
            f" The last attempt, on {_day(last_failed)}, failed."
            if last_failed and (last_ok is None or last_failed > last_ok)
            else ""
        )
        command = IMPORT_COMMANDS.get(source, "the import")
        yield Found(
            subject=f"import:{source}",
            message=(
                f"The last successful {_source(source)} import finished {age} (the limit is "
                f"{data.stale_days} days); {listed:,} listings rely on it.{failed} Run "
                f"`manage.py {command}`."
            ),
            fix_url=admin_list_url(ImportRun, source__exact=source),
            evidence={"last_ok": _day(last_ok), "last_failed": _day(last_failed)},
        )


@rule("offering-not-checked", "Curated price not confirmed recently", Severity.INFO, "staleness")
def offering_not_checked(data: Snapshot) -> Iterator[Found]:
    """An offering no source lists (entered by a curator or the seed) has prices that nobody has
    confirmed within CATALOG_STALE_AFTER_DAYS days: set “price checked” after checking them."""
    for offering in data.offerings.values():
        if data.listings_by_offering.get(offering.id) or not is_serving(data, offering):
            continue
        if all(getattr(offering, name) is None for name in PRICE_FIELD_NAMES):
            continue  # price-missing covers offerings without prices
        checked = offering.price_checked
        if checked is not None and checked >= data.stale_before.date():
            continue
        when = f"last confirmed {checked.isoformat()}" if checked else "never confirmed"
        yield Found(
            subject=f"offering:{offering.id}",
            message=(
                f"The prices of {data.offering_label(offering)} come from no source and were {when}. "
                "Check them with the provider and set “price checked”."
            ),
            fix_url=admin_change_url(Offering, offering.id),
            evidence=_day(checked),
            public_note=(f"Prices at {data.providers[offering.provider_id].name} are unverified: {when} by a curator."),
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
            message=(
                f"Source [{source.number}] of {data.family_name(source.family_id)}, “{source.title}”, was "
                f"{when}. Open it, confirm it, and set the date checked."
            ),
            fix_url=admin_change_url(Source, source.id),
            evidence=_day(checked),
            family_id=source.family_id,
        )
