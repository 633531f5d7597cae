"""On-disk cache of loaded documents and their BM25 index, for fast restarts on big corpora.

The key covers the documents' bytes and companion files (sidecar, references), the versions of
the parser and entity finder (KNOWLEDGE_VERSION) and of the analyzer, and this file format: a
change to any of them means another key and a rebuild. A file whose checksum or header does
not match is never used: it is rebuilt.
"""

from __future__ import annotations

import gc
import hashlib
import json
import logging
import os
import pickle
import tempfile
from collections.abc import Sequence
from pathlib import Path

from knowledge.document import KNOWLEDGE_VERSION, Document
from knowledge.loader import companion_paths, document_files
from retrieval.analyzer import ANALYZER_VERSION
from retrieval.index import BM25Index, IndexCacheError

CACHE_FORMAT = "citebot-cache-1"
log = logging.getLogger("citebot.cache")


def cache_key(paths: Sequence[Path]) -> str:
    """Digest of everything the cached result depends on."""
    versions = f"{CACHE_FORMAT}\0{KNOWLEDGE_VERSION}\0{ANALYZER_VERSION}\0"
    digest = hashlib.sha256(versions.encode())
    for path in document_files(paths):
        digest.update(f"{path.name}\0".encode())
        digest.update(hashlib.sha256(path.read_bytes()).digest())
        for companion in companion_paths(path):
            if companion.is_file():
                digest.update(f"{companion.name}\0".encode())
                digest.update(hashlib.sha256(companion.read_bytes()).digest())
    return digest.hexdigest()[:32]


def _files(cache_dir: Path, key: str) -> tuple[Path, Path]:
    return cache_dir / f"{key}.documents", cache_dir / f"{key}.index.npz"


def load(cache_dir: Path, key: str) -> tuple[list[Document], BM25Index] | None:
    """The cached documents and index under `key`, or None if absent, stale or corrupt."""
    documents_file, index_file = _files(cache_dir, key)
    try:
        header, payload = documents_file.read_bytes().split(b"\n", 1)
        meta = json.loads(header)
        if meta.get("format") != CACHE_FORMAT or meta.get("key") != key:
            raise ValueError("header does not match")
        # The checksum is checked before anything is unpickled.
        if hashlib.sha256(payload).hexdigest() != meta.get("sha256"):
            raise ValueError("checksum mismatch")
        documents = _unpickle(payload)
        index = BM25Index.load(index_file, tag=key)
    except FileNotFoundError:
        return None
    except (ValueError, OSError, IndexCacheError, pickle.UnpicklingError) as exc:
        log.warning("ignoring cache %s (%s); rebuilding it", documents_file.name, exc)
        return None
    if not isinstance(documents, list) or not all(isinstance(d, Document) for d in documents):
        log.warning("ignoring cache %s (unexpected content); rebuilding it", documents_file)
        return None
    return documents, index


def _unpickle(payload: bytes) -> object:
    # The cyclic collector would walk the growing heap again and again while a big corpus's
    # passages are created; none of them form cycles, so it can wait.
    gc.disable()
    try:
        return pickle.loads(payload)
    finally:
        gc.enable()


def save(cache_dir: Path, key: str, documents: Sequence[Document], index: BM25Index) -> None:
    """Write documents (with their entities found) and index; a failure only logs a warning."""
    documents_file, index_file = _files(cache_dir, key)
    for document in documents:
        _ = document.entities, document.acronyms  # found once, then served from the cache
    payload = pickle.dumps(list(documents), protocol=pickle.HIGHEST_PROTOCOL)
    header = json.dumps(
        {"format": CACHE_FORMAT, "key": key, "sha256": hashlib.sha256(payload).hexdigest()}
    ).encode()
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        index.save(index_file, tag=key)
        fd, tmp = tempfile.mkstemp(dir=cache_dir, prefix=".documents.", suffix=".tmp")
        with os.fdopen(fd, "wb") as handle:
            handle.write(header + b"\n" + payload)
        os.replace(tmp, documents_file)  # readers see the old file or the new, never half
    except OSError as exc:
        log.warning("cannot write the cache in %s: %s", cache_dir, exc.strerror or exc)
