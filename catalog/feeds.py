"""Atom feeds: new variants, and price changes."""

from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import escape

from catalog import guidance
from catalog.models import Variant
from catalog.selectors.changelog import recent_price_changes

FEED_LENGTH = 50


class NewVariantsFeed(Feed):
    feed_type = Atom1Feed
    title = "Model catalog: new models"
    subtitle = "Models (variants) as they are added to the catalog, newest first."

    def link(self):
        return reverse("catalog:model-list")

    def feed_url(self):
        return reverse("feed-variants")

    def items(self):
        return list(Variant.objects.filter(family__published=True)
                    .select_related("family", "family__creator")
                    .order_by("-created_at", "-id")[:FEED_LENGTH])

    def item_title(self, variant):
        return f"{variant.name} ({variant.family.name} by {variant.family.creator.name})"

    def item_description(self, variant):
        # Atom summaries are type="html": escape, so readers show the text and run nothing.
        released = f" Released {variant.released_display}." if variant.release_date else ""
        return escape(f"{guidance.use_when(variant)}{released}")

    def item_link(self, variant):
        return variant.get_absolute_url()

    def item_pubdate(self, variant):
        return variant.created_at

    def item_updateddate(self, variant):
        return variant.updated_at

    def item_author_name(self, variant):
        return variant.family.creator.name


class PriceChangesFeed(Feed):
    feed_type = Atom1Feed
    title = "Model catalog: price changes"
    subtitle = "Prices per million tokens as providers change them, newest first."

    def link(self):
        return reverse("catalog:provider-list")

    def feed_url(self):
        return reverse("feed-prices")

    def items(self):
        return recent_price_changes(FEED_LENGTH)

    def item_title(self, item):
        record, change = item
        return f"{record.offering.variant.name}: {change.summary[0].lower()}{change.summary[1:]}"

    def item_description(self, item):
        _, change = item
        return escape("; ".join(change.details) + " (USD per million tokens).")

    def item_link(self, item):
        record, _ = item
        return record.offering.variant.get_absolute_url()

    def item_guid(self, item):
        record, _ = item
        return f"price-record-{record.pk}"

    item_guid_is_permalink = False

    def item_pubdate(self, item):
        record, _ = item
        return record.valid_from

    def item_updateddate(self, item):
        record, _ = item
        return record.valid_from
