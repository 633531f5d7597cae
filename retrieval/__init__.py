"""Retrieval: analyzer, BM25 index, search, answers and the on-disk cache."""

import os

# numpy's OpenBLAS starts a thread per core when numpy is imported, about 60 ms of a 2-core
# machine's CPU before `citebot ask` has read a word (bench/startup.py). Retrieval does no
# linear algebra, so one thread loses nothing; a value the user set is left alone. Set here,
# in the package every entry point imports before numpy.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
