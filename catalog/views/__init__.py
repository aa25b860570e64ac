"""Pages, one module per area: pages (families, variants, providers); more areas add modules here."""
