from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "catalog"
    verbose_name = "Model catalog"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from catalog import signals
        from catalog.services import roles, summaries

        summaries.connect()
        signals.connect()  # catalog writes make the public page cache fresh
        roles.connect()  # the Curators group keeps up with new models
