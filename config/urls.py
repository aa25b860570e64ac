from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "Model catalog curation"
admin.site.site_title = "Model catalog"
admin.site.index_title = "Catalog data"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("catalog.urls")),
]
