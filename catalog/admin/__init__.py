"""The curation admin, one module per room: registering happens on import.

- `curation`: the shared base classes (curator saves lock fields and keep price history; ReadOnlyAdmin)
- `catalog`: organizations, tags, families, variants, providers, offerings, family details
- `imports`: import runs, listings, variant aliases, price records, disagreements, field locks
- `findings`: data-quality findings, dismissal and "Run checks now"
"""

from . import catalog, findings, imports  # noqa: F401 (imported to register their admins)
