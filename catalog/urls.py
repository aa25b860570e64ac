from django.urls import path

from catalog.views import pages

app_name = "catalog"

urlpatterns = [
    path("", pages.HomeView.as_view(), name="home"),
    path("families/", pages.FamilyListView.as_view(), name="family-list"),
    path("families/<slug:family>/", pages.FamilyDetailView.as_view(), name="family-detail"),
    path("families/<slug:family>/<slug:variant>/", pages.VariantDetailView.as_view(), name="variant-detail"),
    path("providers/", pages.ProviderListView.as_view(), name="provider-list"),
    path("providers/<slug:provider>/", pages.ProviderDetailView.as_view(), name="provider-detail"),
]
