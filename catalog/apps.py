from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "catalog"
    verbose_name = "Model catalog"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from catalog import checks, signals  # noqa: F401 (checks registers the deploy checks on import)
        from catalog.services import roles, summaries

        summaries.connect()
        signals.connect()  # catalog writes make the public page cache fresh
        roles.connect()  # the Curators group keeps up with new models
