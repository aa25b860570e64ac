from django.urls import path

from . import views

app_name = "catalog"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("families/", views.FamilyListView.as_view(), name="family-list"),
    path("families/<slug:family>/", views.FamilyDetailView.as_view(), name="family-detail"),
    path("families/<slug:family>/<slug:variant>/", views.VariantDetailView.as_view(), name="variant-detail"),
    path("providers/", views.ProviderListView.as_view(), name="provider-list"),
    path("providers/<slug:provider>/", views.ProviderDetailView.as_view(), name="provider-detail"),
]
