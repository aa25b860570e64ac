"""Import LiteLLM's model_prices_and_context_window.json: its chat models, as a second source beside models.dev."""

from catalog.management.importing import SourceImportCommand
from catalog.services.importers import litellm


class Command(SourceImportCommand):
    help = (
        "Import LiteLLM's model_prices_and_context_window.json (plain or gzipped): chat models only; "
        "per-token prices become USD per million tokens."
    )
    source = litellm.SOURCE
    path_required = True

    def parse(self, raw, where):
        return litellm.parse(raw, where)
