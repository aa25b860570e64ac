"""Small builders for test data (plain ORM, no factory library needed at this size)."""

from datetime import date
from decimal import Decimal

from catalog.models import Family, Offering, Organization, PriceRecord, Provider, Variant


def organization(slug="lab", name="Lab"):
    return Organization.objects.get_or_create(slug=slug, defaults={"name": name})[0]


def family(slug="fam", name="Fam", creator=None, **fields):
    return Family.objects.create(slug=slug, name=name, creator=creator or organization(), **fields)


def variant(fam, slug, name=None, **fields):
    fields.setdefault("release_date", date(2024, 1, 1))
    fields.setdefault("release_precision", "month")
    return Variant.objects.create(family=fam, slug=slug, name=name or slug.upper(), **fields)


def provider(slug="prov", name="Prov", kind=Provider.Kind.API):
    return Provider.objects.get_or_create(slug=slug, defaults={"name": name, "kind": kind})[0]


def offering(var, prov, model_id, price_input=None, price_output=None, **fields):
    return Offering.objects.create(
        variant=var,
        provider=prov,
        model_id=model_id,
        price_input=None if price_input is None else Decimal(str(price_input)),
        price_output=None if price_output is None else Decimal(str(price_output)),
        **fields,
    )


def price_record(off, valid_from, price_input=None, price_output=None, valid_to=None, **fields):
    """A dated price of an offering (its history; valid_to None is the current price)."""
    return PriceRecord.objects.create(
        offering=off,
        valid_from=valid_from,
        valid_to=valid_to,
        price_input=None if price_input is None else Decimal(str(price_input)),
        price_output=None if price_output is None else Decimal(str(price_output)),
        **fields,
    )
