from django.conf import settings
from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path

from catalog.feeds import ChangelogFeed, NewVariantsFeed, PriceChangesFeed
from catalog.middleware import public_page
from catalog.sitemaps import SITEMAPS
from catalog.views import site

admin.site.site_header = "Model catalog curation"
admin.site.site_title = "Model catalog"
admin.site.index_title = "Catalog data"

urlpatterns = [
    # DJANGO_ADMIN_PATH moves the admin (default "admin/").
    path(settings.ADMIN_PATH, admin.site.urls),
    path("healthz", site.healthz, name="healthz"),
    path("robots.txt", site.robots_txt, name="robots"),
    path("sitemap.xml", public_page(sitemap, parameters={"p"}), {"sitemaps": SITEMAPS}, name="sitemap"),
    path("feeds/variants.atom", public_page(NewVariantsFeed()), name="feed-variants"),
    path("feeds/prices.atom", public_page(PriceChangesFeed()), name="feed-prices"),
    # One changelog feed per page that has a changelog (selectors.changelog).
    path("feeds/families/<slug:family>.atom", public_page(ChangelogFeed()), name="feed-family-changes"),
    path("feeds/families/<slug:family>/<slug:variant>.atom", public_page(ChangelogFeed()), name="feed-variant-changes"),
    path("feeds/providers/<slug:provider>.atom", public_page(ChangelogFeed()), name="feed-provider-changes"),
    path("", include("catalog.urls")),
]

# A database that is away or timed out: the designed 503 page, not a 500 (catalog.middleware also
# answers it for errors raised in views, without logging a traceback).
handler500 = "catalog.views.site.server_error"
