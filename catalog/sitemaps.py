"""sitemap.xml: the list pages, every published family, its variants, and every provider."""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import sitemaps
from django.urls import reverse

from catalog.models import Family, Provider, Variant


class Sitemap(sitemaps.Sitemap):
    """Absolute URLs on DJANGO_SITE_URL when it is set, else on the request's own scheme and host."""

    def get_protocol(self, protocol=None):
        if settings.SITE_URL:
            return urlsplit(settings.SITE_URL).scheme
        return super().get_protocol(protocol)

    def get_domain(self, site=None):
        if settings.SITE_URL:
            return urlsplit(settings.SITE_URL).netloc
        return super().get_domain(site)


class ListPagesSitemap(Sitemap):
    changefreq = "daily"
    priority = 0.8

    def items(self):
        return ["catalog:home", "catalog:family-list", "catalog:model-list", "catalog:provider-list"]

    def location(self, item):
        return reverse(item)


class FamilySitemap(Sitemap):
    changefreq = "weekly"
    priority = 0.7

    def items(self):
        return Family.objects.published().only("slug", "updated_at").order_by("slug")

    def lastmod(self, family):
        return family.updated_at


class VariantSitemap(Sitemap):
    changefreq = "weekly"
    priority = 0.6
    limit = 10_000

    def items(self):
        return (
            Variant.objects.filter(family__published=True)
            .select_related("family")
            .only("slug", "updated_at", "family__slug")
            .order_by("family__slug", "slug")
        )

    def lastmod(self, variant):
        return variant.updated_at


class ProviderSitemap(Sitemap):
    changefreq = "weekly"
    priority = 0.5

    def items(self):
        return Provider.objects.only("slug", "updated_at").order_by("slug")

    def lastmod(self, provider):
        return provider.updated_at


SITEMAPS = {
    "pages": ListPagesSitemap,
    "families": FamilySitemap,
    "variants": VariantSitemap,
    "providers": ProviderSitemap,
}
