from django.conf import settings
from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path

from catalog.feeds import NewVariantsFeed, PriceChangesFeed
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
    path("", include("catalog.urls")),
]

# A database that is away or timed out: the designed 503 page, not a 500 (catalog.middleware also
# answers it for errors raised in views, without logging a traceback).
handler500 = "catalog.views.site.server_error"
