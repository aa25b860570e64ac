"""Importers of public data sources (models.dev, LiteLLM) into the catalog.

`sources.apply_entries` is the one writer both use: it matches, writes in bulk, keeps price history,
respects curator locks and records what each source listed.
"""
