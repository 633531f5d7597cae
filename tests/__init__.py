"""citebot tests; a package so that test helpers import as `tests.<module>`."""
