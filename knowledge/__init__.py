"""Knowledge: documents to passages, citations and entities."""

import os

# numpy's OpenBLAS starts a thread per core when numpy is imported, about 60 ms of a 2-core
# machine's CPU before `citebot ask` has read a word (bench/startup.py). Nothing here or in
# retrieval does linear algebra, so one thread loses nothing; a value the user set is left
# alone. Set here, in the package at the bottom of every import chain (retrieval imports it
# first too), before anything imports numpy.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
