"""Retrieval: analyzer, BM25 index, search, answers and the on-disk cache."""

import knowledge  # noqa: F401  (first: it keeps numpy's OpenBLAS to one thread)
