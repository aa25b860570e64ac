"""Atom feeds: new variants, price changes, and the changelog of each variant, family and provider."""

from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import escape

from catalog import guidance
from catalog.models import Variant
from catalog.selectors.changelog import changelog_subject, recent_price_changes

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
        return list(
            Variant.objects.filter(family__published=True)
            .select_related("family", "family__creator")
            .order_by("-created_at", "-id")[:FEED_LENGTH]
        )

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


class ChangelogFeed(Feed):
    """The changelog of one variant, family or provider as an Atom feed: the page's changes, newest first."""

    feed_type = Atom1Feed
    item_guid_is_permalink = False

    def get_object(self, request, **kwargs):
        return changelog_subject(**kwargs)

    def title(self, subject):
        return f"Model catalog: changes to {subject.title}"

    def subtitle(self, subject):
        return f"Every change to what the catalog shows for {subject.title}, from curators and imports, newest first."

    def link(self, subject):
        return subject.page_url

    def feed_url(self, subject):
        return subject.feed_url

    def items(self, subject):
        return subject.changes(FEED_LENGTH)

    def item_title(self, change):
        where = f"{change.subject}: " if change.subject else ""
        return f"{where}{change.summary}"

    def item_description(self, change):
        details = "; ".join(change.details)
        source = f" ({change.source})" if change.source else ""
        return escape(f"{change.summary}{': ' + details if details else ''}{source}.")

    def item_link(self, change):
        return change.url or self._page_url

    def get_feed(self, obj, request):
        self._page_url = obj.page_url
        return super().get_feed(obj, request)

    def item_guid(self, change):
        return f"{self._page_url}#{change.key}"

    def item_pubdate(self, change):
        return change.when

    def item_updateddate(self, change):
        return change.when
