"""Reads, one module per area. Each page's data comes in a fixed number of queries."""

from catalog.selectors.pages import *  # noqa: F403 (the page reads are the package's main vocabulary)
