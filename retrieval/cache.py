"""On-disk cache of loaded documents and their BM25 index, for fast restarts on big corpora.

An entry is one file, KEY.citebot (retrieval/arrayfile.py): the index's arrays, its
vocabulary (retrieval/vocabulary.py) and spelling table, and each document's passages as
columns (texts as one UTF-8 blob and offsets, the clean texts only where they differ from
them, references as flat arrays), read back by memory map, so a start reads only the small
tables, and processes using one entry share its pages.
The documents' entities are found when the entry is written and kept beside it
(KEY.N.entities, N the document's position; their passage positions are mapped arrays too),
so a warm start reads them and no question does work over the whole corpus.

The key covers the documents' bytes and companion files (sidecar, references), the versions of
the parser and entity finder (KNOWLEDGE_VERSION), of the analyzer and of this format: a change
to any of them means another key and a rebuild. Hashing every byte of a big corpus takes
seconds, so `lookup_key` first looks the files' sizes and modification times up among those
already hashed (sources/), and hashes only files that changed.

A cache that cannot be written (read-only or full disk, a file in the way) leaves citebot
working without it, with one warning per folder; an entry that does not match its header,
size or checksums is ignored and rebuilt. Files of older formats are never read.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import pickle
import re
import sys
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from itertools import compress, count, pairwise
from operator import ne
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
import numpy.typing as npt

from knowledge.document import (
    KNOWLEDGE_VERSION,
    Document,
    PassageTable,
    clean_texts,
    passage_sections,
)
from knowledge.entities import Entities, Event, Figure
from knowledge.loader import companion_paths, document_files
from retrieval import arrayfile
from retrieval.analyzer import ANALYZER_VERSION
from retrieval.index import BM25Index, IndexCacheError
from retrieval.spelling import CloseTerms

CACHE_FORMAT = "citebot-cache-5"
APP_NAME = "citebot"
ENTRY_SUFFIX = ".citebot"
ENTITIES_SUFFIX = ".entities"
SOURCES = "sources"  # fingerprints of hashed files -> their key
# Files of earlier formats (citebot-cache-1): never read, removed by clear_cache.
LEGACY_SUFFIXES = (".documents", ".index.npz")
_KEY = re.compile(r"[0-9a-f]{32}")
# Texts encoded at once when saving: big enough for C speed, small enough to cost little.
_BLOB_BATCH = 10_000
log = logging.getLogger("citebot.cache")
# Folders already warned about in this process: a cache that cannot be written says so once.
_warned: set[Path] = set()

T = TypeVar("T")


def default_cache_dir() -> Path:
    """The user's cache folder for citebot: $XDG_CACHE_HOME/citebot or ~/.cache/citebot on
    Linux and other Unix systems, ~/Library/Caches/citebot on macOS, and
    %LOCALAPPDATA%\\citebot\\Cache on Windows."""
    if sys.platform == "win32":
        base = os.environ.get("LOCALAPPDATA") or str(Path.home() / "AppData" / "Local")
        return Path(base) / APP_NAME / "Cache"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Caches" / APP_NAME
    xdg = os.environ.get("XDG_CACHE_HOME", "")
    # The XDG spec says a relative path is invalid and must be ignored.
    base_dir = Path(xdg) if xdg and Path(xdg).is_absolute() else Path.home() / ".cache"
    return base_dir / APP_NAME


def _versions() -> bytes:
    return f"{CACHE_FORMAT}\0{KNOWLEDGE_VERSION}\0{ANALYZER_VERSION}\0".encode()


def _inputs(paths: Sequence[Path]) -> list[Path]:
    """Every file whose bytes the cached result depends on, documents and companions."""
    files = []
    for path in document_files(paths):
        files.append(path)
        files.extend(c for c in companion_paths(path) if c.is_file())
    return files


def cache_key(paths: Sequence[Path]) -> str:
    """Digest of everything the cached result depends on (hashes every byte of the files)."""
    digest = hashlib.sha256(_versions())
    for path in _inputs(paths):
        digest.update(f"{path.name}\0".encode())
        digest.update(hashlib.file_digest(path.open("rb"), "sha256").digest())
    return digest.hexdigest()[:32]


def _fingerprint(files: Sequence[Path]) -> str:
    """Digest of the files' identities and modification stamps, not of their bytes."""
    digest = hashlib.sha256(_versions())
    for path in files:
        stat = path.stat()
        stamp = (stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino, stat.st_dev)
        digest.update(f"{path.resolve()}\0{stamp}\0".encode())
    return digest.hexdigest()[:32]


def lookup_key(cache_dir: Path, paths: Sequence[Path]) -> str:
    """The cache key of `paths`, hashing their bytes only when their sizes or modification
    times are new; KnowledgeError for a path that does not exist."""
    files = _inputs(paths)
    before = _fingerprint(files)
    pointer = cache_dir / SOURCES / before
    try:
        key = pointer.read_text(encoding="ascii").strip()
        if _KEY.fullmatch(key) and (cache_dir / f"{key}{ENTRY_SUFFIX}").is_file():
            return key
    except (OSError, UnicodeDecodeError):
        pass  # not hashed yet (or the record is unreadable): hash below
    key = cache_key(paths)
    # A file changed while it was hashed: the record would tie its new stamp to old bytes.
    if _fingerprint(files) == before:
        _write_atomic(cache_dir, pointer, key.encode("ascii"))
    return key


def _entry(cache_dir: Path, key: str) -> Path:
    return cache_dir / f"{key}{ENTRY_SUFFIX}"


def _entities_file(cache_dir: Path, key: str, number: int) -> Path:
    return cache_dir / f"{key}.{number}{ENTITIES_SUFFIX}"


def _cannot_write(cache_dir: Path, exc: OSError) -> None:
    if cache_dir not in _warned:
        _warned.add(cache_dir)
        reason = exc.strerror or str(exc)
        message = "cannot write to the cache in %s (%s); going on without saving to it"
        log.warning(message, cache_dir, reason)


def _write_atomic(cache_dir: Path, target: Path, data: bytes) -> bool:
    """Write a small file whole or not at all; False (and the one warning) on failure."""
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError as exc:
        _cannot_write(cache_dir, exc)
        return False
    return True


# -- columns read from the mapped entry --------------------------------------------------------


class _Texts(Sequence[str]):
    """Strings kept as one UTF-8 blob and byte offsets; each is decoded when read."""

    def __init__(self, blob: npt.NDArray[np.uint8], offsets: npt.NDArray[np.int64]) -> None:
        self._blob, self._offsets = blob, offsets

    def __len__(self) -> int:
        return len(self._offsets) - 1

    def __getitem__(self, i: Any) -> Any:
        if isinstance(i, slice):
            return [self[j] for j in range(len(self))[i]]
        i = range(len(self))[i]
        start, end = int(self._offsets[i]), int(self._offsets[i + 1])
        return self._blob[start:end].tobytes().decode("utf-8", "surrogatepass")

    def __iter__(self) -> Iterator[str]:
        bounds = self._offsets.tolist()
        data = self._blob.tobytes()
        for start, end in pairwise(bounds):
            yield data[start:end].decode("utf-8", "surrogatepass")


class _Cleaned(Sequence[str]):
    """Clean texts kept as the verbatim texts and those that differ from them, by position
    (ascending): most passages have no tag or spacing to repair."""

    def __init__(self, texts: _Texts, at: npt.NDArray[np.int64], cleaned: _Texts) -> None:
        self._texts, self._at, self._cleaned = texts, at, cleaned

    def __len__(self) -> int:
        return len(self._texts)

    def __getitem__(self, i: Any) -> Any:
        if isinstance(i, slice):
            return [self[j] for j in range(len(self))[i]]
        i = range(len(self))[i]
        k = int(self._at.searchsorted(i))
        if k < len(self._at) and int(self._at[k]) == i:
            return self._cleaned[k]
        return self._texts[i]

    def __iter__(self) -> Iterator[str]:
        cleaned = dict(zip(self._at.tolist(), self._cleaned, strict=True))
        for i, text in enumerate(self._texts):
            yield cleaned.get(i, text)


class _Column(Sequence[T]):
    """A numpy column read as Python values (`convert` makes one from a numpy scalar)."""

    def __init__(self, values: npt.NDArray[Any], convert: Any) -> None:
        self._values, self._convert = values, convert

    def __len__(self) -> int:
        return len(self._values)

    def __getitem__(self, i: Any) -> Any:
        if isinstance(i, slice):
            return [self[j] for j in range(len(self))[i]]
        return self._convert(self._values[i])


class _Ragged(Sequence[tuple[int, ...]]):
    """Tuples of ints kept flat: tuple i is values[indptr[i]:indptr[i + 1]]."""

    def __init__(self, indptr: npt.NDArray[np.int64], values: npt.NDArray[np.int32]) -> None:
        self._indptr, self._values = indptr, values

    def __len__(self) -> int:
        return len(self._indptr) - 1

    def __getitem__(self, i: Any) -> Any:
        if isinstance(i, slice):
            return [self[j] for j in range(len(self))[i]]
        i = range(len(self))[i]
        return tuple(self._values[int(self._indptr[i]) : int(self._indptr[i + 1])].tolist())

    def __iter__(self) -> Iterator[tuple[int, ...]]:
        # Converted once, then sliced: reading them one by one costs two numpy calls each.
        values = self._values.tolist()
        for start, end in pairwise(self._indptr.tolist()):
            yield tuple(values[start:end])

    def nonempty(self) -> Iterator[tuple[int, tuple[int, ...]]]:
        """(i, tuple i) of each non-empty tuple, found in the offsets (knowledge's SparseRows)."""
        rows = np.flatnonzero(np.diff(self._indptr))
        values = self._values.tolist()
        starts, ends = self._indptr[rows].tolist(), self._indptr[rows + 1].tolist()
        for row, start, end in zip(rows.tolist(), starts, ends, strict=True):
            yield row, tuple(values[start:end])


def _byte_offsets(texts: Sequence[str]) -> npt.NDArray[np.int64]:
    """Where each text starts in their UTF-8 concatenation (and, last, where it ends)."""
    sizes = np.zeros(len(texts) + 1, dtype=np.int64)
    for first in range(0, len(texts), _BLOB_BATCH):
        batch = texts[first : first + _BLOB_BATCH]
        lengths: Iterator[int]
        if "".join(batch).isascii():  # one byte a character: the lengths are the sizes
            lengths = map(len, batch)
        else:
            lengths = (len(text.encode("utf-8", "surrogatepass")) for text in batch)
        sizes[first + 1 : first + 1 + len(batch)] = np.fromiter(lengths, np.int64, len(batch))
    return np.cumsum(sizes)


def _blob(texts: Sequence[str], offsets: npt.NDArray[np.int64]) -> npt.NDArray[np.uint8]:
    """The texts' UTF-8 concatenation, made a batch at a time into one array."""
    blob = np.empty(int(offsets[-1]), dtype=np.uint8)
    for first in range(0, len(texts), _BLOB_BATCH):
        batch = texts[first : first + _BLOB_BATCH]
        data = "".join(batch).encode("utf-8", "surrogatepass")
        blob[int(offsets[first]) : int(offsets[first + len(batch)])] = np.frombuffer(
            data, dtype=np.uint8
        )
    return blob


# What reading a damaged or foreign file can raise: the file is then ignored and rebuilt.
_UNREADABLE = (
    OSError,
    ValueError,
    KeyError,
    TypeError,
    EOFError,
    arrayfile.ArrayFileError,
    pickle.UnpicklingError,
)


# -- entities kept beside the entry ------------------------------------------------------------


class _Findings:
    """A cached document's acronyms (from its entry) and entities (kept beside it)."""

    def __init__(
        self, cache_dir: Path, key: str, number: int, acronyms: dict[str, str] | None
    ) -> None:
        self._cache_dir, self._key, self._number = cache_dir, key, number
        self._acronyms = acronyms

    def stored_acronyms(self) -> dict[str, str] | None:
        return self._acronyms

    def stored_entities(self) -> Entities | None:
        path = _entities_file(self._cache_dir, self._key, self._number)
        try:
            arrays, meta = arrayfile.read(path)
            if meta.get("format") != CACHE_FORMAT or meta.get("key") != self._key:
                raise ValueError("header does not match")
            entities = pickle.loads(arrays["entities"].tobytes())
            if not isinstance(entities, Entities):
                raise TypeError("not entities")
            return _with_positions(entities, arrays["bounds"], arrays["positions"])
        except (FileNotFoundError, NotADirectoryError):  # none kept (or no cache folder)
            return None
        except _UNREADABLE as exc:
            log.warning("ignoring cached entities %s (%s); finding them again", path.name, exc)
            return None

    def keep_entities(self, entities: Entities) -> None:
        found: tuple[Figure | Event, ...] = (*entities.figures, *entities.events)
        bounds = np.zeros(len(found) + 1, dtype=np.int64)
        np.cumsum([len(item.passages) for item in found], out=bounds[1:])
        positions = np.fromiter(
            (p for item in found for p in item.passages), dtype=np.int32, count=int(bounds[-1])
        )
        # Names, aliases and dates pickled; the positions, most of the bytes, as an array.
        bare = Entities(
            tuple(replace(f, passages=()) for f in entities.figures),
            tuple(replace(e, passages=()) for e in entities.events),
        )
        payload = pickle.dumps(bare, protocol=pickle.HIGHEST_PROTOCOL)
        arrays: dict[str, npt.NDArray[Any]] = {
            "entities": np.frombuffer(payload, dtype=np.uint8),
            "bounds": bounds,
            "positions": positions,
        }
        meta = {"format": CACHE_FORMAT, "key": self._key}
        target = _entities_file(self._cache_dir, self._key, self._number)
        try:
            arrayfile.write(target, arrays, meta, checked=arrays.keys())
        except OSError as exc:
            _cannot_write(self._cache_dir, exc)


def _with_positions(
    entities: Entities, bounds: npt.NDArray[np.int64], positions: npt.NDArray[np.int32]
) -> Entities:
    """`entities` (kept without their passages) with them, as views of the mapped array."""
    count = len(entities.figures) + len(entities.events)
    if (
        len(bounds) != count + 1
        or int(bounds[0]) != 0
        or int(bounds[-1]) != len(positions)
        or bool(np.any(np.diff(bounds) < 0))
    ):
        raise ValueError("entity positions do not match the entities")
    spans = iter(pairwise(bounds.tolist()))

    def passages() -> Positions:
        start, end = next(spans)
        return Positions(positions[start:end])

    figures = tuple(replace(f, passages=passages()) for f in entities.figures)
    events = tuple(replace(e, passages=passages()) for e in entities.events)
    return Entities(figures, events)


class Positions(Sequence[int]):
    """Passage positions read from a cache's mapped array: equal to, and hashed as, the tuple
    of them, without a Python int per position (a million at a million passages), and
    shared by the processes mapping the file. numpy reads the array itself (np.asarray)."""

    __slots__ = ("_array",)

    def __init__(self, array: npt.NDArray[np.int32]) -> None:
        self._array = array

    def __array__(self, dtype: Any = None, copy: bool | None = None) -> npt.NDArray[Any]:
        return self._array if dtype is None else self._array.astype(dtype)

    def __len__(self) -> int:
        return len(self._array)

    def __getitem__(self, i: Any) -> Any:
        if isinstance(i, slice):
            return tuple(self._array[i].tolist())
        return int(self._array[range(len(self))[i]])

    def __iter__(self) -> Iterator[int]:
        return iter(self._array.tolist())

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Positions):
            return bool(np.array_equal(self._array, other._array))
        return isinstance(other, tuple) and tuple(self) == other

    def __hash__(self) -> int:
        return hash(tuple(self))

    def __repr__(self) -> str:
        return repr(tuple(self))


def with_findings(cache_dir: Path, key: str, documents: Sequence[Document]) -> list[Document]:
    """The documents, their entities to be kept under `key` once found (or read if kept)."""
    return [
        replace(document, findings=_Findings(cache_dir, key, number, None))
        for number, document in enumerate(documents)
    ]


# -- entries -----------------------------------------------------------------------------------


# Where an entry's index and spelling arrays are named: "index.idf", "spellings.masks".
_INDEX, _SPELLINGS = "index.", "spellings."


def _prefixed(prefix: str, arrays: Mapping[str, Any]) -> dict[str, Any]:
    return {prefix + name: array for name, array in arrays.items()}


def _unprefixed(prefix: str, arrays: Mapping[str, Any]) -> dict[str, Any]:
    return {name.removeprefix(prefix): a for name, a in arrays.items() if name.startswith(prefix)}


def save(
    cache_dir: Path,
    key: str,
    documents: Sequence[Document],
    index: BM25Index,
    spellings: CloseTerms,
) -> bool:
    """Write documents, index and the spelling table of its terms under `key`; False, with
    the one warning, if it cannot."""
    index_arrays, index_meta = index.to_arrays()
    arrays: dict[str, Any] = {
        **_prefixed(_INDEX, index_arrays),
        **_prefixed(_SPELLINGS, spellings.arrays),
    }
    described = []
    for number, document in enumerate(documents):
        arrays.update(_passage_arrays(f"d{number}.", document))
        described.append(_document_meta(document))
    payload = pickle.dumps(described, protocol=pickle.HIGHEST_PROTOCOL)
    arrays["documents"] = np.frombuffer(payload, dtype=np.uint8)
    meta = {
        "format": CACHE_FORMAT,
        "key": key,
        "index": index_meta,
        "titles": [document.title for document in documents],
        "passages": len(index),
    }
    checked = ["documents", *(_INDEX + name for name in _INDEX_READ_WHOLE)]
    try:
        arrayfile.write(_entry(cache_dir, key), arrays, meta, checked)
    except OSError as exc:
        _cannot_write(cache_dir, exc)
        return False
    return True


# Index arrays read whole at every start, so their checksums cost nothing more.
_INDEX_READ_WHOLE = ("indptr", "idf", "max_weight")


def _passage_arrays(prefix: str, document: Document) -> dict[str, Any]:
    passages = document.passages
    table = passages if isinstance(passages, PassageTable) else None
    texts = table.texts if table else [p.text for p in passages]
    lines = table.lines if table else [p.line for p in passages]
    refs = table.refs if table else [p.refs for p in passages]
    captions = table.captions if table else [p.caption for p in passages]
    cleans = clean_texts(passages)
    # Most passages are clean as they are: only the others' clean texts are kept, by position.
    cleaned_at = list(compress(count(), map(ne, texts, cleans)))
    cleaned = [cleans[at] for at in cleaned_at]
    text_offsets, clean_offsets = _byte_offsets(texts), _byte_offsets(cleaned)
    # The distinct section paths in order of first use, each passage's as an id among them.
    paths = passage_sections(passages)
    sections = {path: at for at, path in enumerate(dict.fromkeys(paths))}
    section_ids = list(map(sections.__getitem__, paths))
    ref_counts = np.fromiter(map(len, refs), dtype=np.int64, count=len(refs))
    refs_indptr = np.zeros(len(refs) + 1, dtype=np.int64)
    np.cumsum(ref_counts, out=refs_indptr[1:])
    return {
        # The two blobs are made when written, one at a time: together they are most of
        # the memory a save needs.
        f"{prefix}text": lambda: _blob(texts, text_offsets),
        f"{prefix}text_offsets": text_offsets,
        f"{prefix}clean": lambda: _blob(cleaned, clean_offsets),
        f"{prefix}clean_offsets": clean_offsets,
        f"{prefix}cleaned_at": np.asarray(cleaned_at, dtype=np.int64),
        f"{prefix}lines": np.asarray(lines, dtype=np.int64),
        f"{prefix}captions": np.asarray(captions, dtype=np.bool_),
        f"{prefix}refs_indptr": refs_indptr,
        f"{prefix}refs": np.fromiter(
            (ref for group in refs for ref in group), dtype=np.int64, count=int(refs_indptr[-1])
        ),
        f"{prefix}section_ids": np.asarray(section_ids, dtype=np.int32),
        f"{prefix}sections": np.frombuffer(
            json.dumps(list(sections)).encode("utf-8", "surrogatepass"), dtype=np.uint8
        ),
    }


def _document_meta(document: Document) -> dict[str, Any]:
    passages = document.passages
    if isinstance(passages, PassageTable):
        pages = dict(passages.pages)
    else:
        pages = {i: p.pages for i, p in enumerate(passages) if p.pages}
    return {
        "id": document.id,
        "title": document.title,
        "source_url": document.source_url,
        "licence": document.licence,
        "path": document.path,
        "refinements": document.refinements,
        "references": dict(document.references),
        "pages": pages,
        "acronyms": document.acronyms,
    }


def load(cache_dir: Path, key: str) -> tuple[list[Document], BM25Index, CloseTerms] | None:
    """The cached documents, index and spelling table under `key`, or None if absent, stale
    or corrupt."""
    path = _entry(cache_dir, key)
    try:
        arrays, meta = arrayfile.read(path)
        if meta.get("format") != CACHE_FORMAT or meta.get("key") != key:
            raise ValueError("header does not match")
        described = pickle.loads(arrays["documents"].tobytes())
        index = BM25Index.from_arrays(
            _unprefixed(_INDEX, arrays),
            meta["index"],
            verify=False,
        )
        spellings = CloseTerms.from_arrays(
            index.vocabulary(),
            _unprefixed(_SPELLINGS, arrays),
        )
        documents = [
            _document(cache_dir, key, number, info, arrays) for number, info in enumerate(described)
        ]
    except (FileNotFoundError, NotADirectoryError):  # none kept (or no cache folder)
        return None
    except (*_UNREADABLE, IndexCacheError) as exc:
        log.warning("ignoring cache %s (%s); rebuilding it", path.name, exc)
        return None
    if sum(len(d.passages) for d in documents) != len(index):
        log.warning("ignoring cache %s (passages and index differ); rebuilding it", path.name)
        return None
    with contextlib.suppress(OSError):  # a read-only cache still serves
        os.utime(path)  # when it was last used, for `cache info`
    return documents, index, spellings


def _document(
    cache_dir: Path, key: str, number: int, info: Mapping[str, Any], arrays: Mapping[str, Any]
) -> Document:
    prefix = f"d{number}."

    def column(name: str) -> Any:
        return arrays[prefix + name]

    sections = json.loads(column("sections").tobytes().decode("utf-8", "surrogatepass"))
    if not isinstance(sections, list) or not all(isinstance(s, str) for s in sections):
        raise ValueError("section table is not a list of texts")
    n = len(column("text_offsets")) - 1
    section_ids = column("section_ids")
    refs_indptr = column("refs_indptr")
    cleaned_at = column("cleaned_at")
    # Cheap checks (these columns are small or checked whole), so a damaged entry is refused
    # rather than indexing out of range later.
    if (
        len(column("clean_offsets")) != len(cleaned_at) + 1
        or (cleaned_at.size and not 0 <= int(cleaned_at[0]) <= int(cleaned_at[-1]) < n)
        or bool(np.any(np.diff(cleaned_at) <= 0))
        or len(column("lines")) != n
        or len(column("captions")) != n
        or len(section_ids) != n
        or len(refs_indptr) != n + 1
        or int(refs_indptr[-1]) != len(column("refs"))
        or int(column("text_offsets")[-1]) != len(column("text"))
        or int(column("clean_offsets")[-1]) != len(column("clean"))
        or (n and not 0 <= int(section_ids.min()) <= int(section_ids.max()) < len(sections))
    ):
        raise ValueError(f"document {number}: inconsistent columns")
    texts = _Texts(column("text"), column("text_offsets"))
    passages = PassageTable(
        info["id"],
        texts,
        _Cleaned(texts, cleaned_at, _Texts(column("clean"), column("clean_offsets"))),
        _Column(column("lines"), int),
        _Ragged(refs_indptr, column("refs")),
        info["pages"],
        _Column(column("captions"), bool),
        # Section paths as ids into the table of the distinct ones.
        _Column(section_ids, lambda i: sections[int(i)]),
    )
    return Document(
        id=info["id"],
        title=info["title"],
        passages=passages,
        source_url=info["source_url"],
        licence=info["licence"],
        path=info["path"],
        refinements=info["refinements"],
        references=info["references"],
        findings=_Findings(cache_dir, key, number, dict(info["acronyms"])),
    )


# -- what `citebot cache info|clear` shows and does --------------------------------------------


@dataclass(frozen=True, slots=True)
class CacheEntry:
    """One cached corpus: its key, documents' titles, passages, bytes on disk, last use."""

    key: str
    titles: tuple[str, ...]
    passages: int
    bytes: int  # the entry and the entities kept beside it
    last_used: float  # seconds since the epoch
    readable: bool = True  # False: damaged or of another format, rebuilt on next use


@dataclass(frozen=True, slots=True)
class CacheInfo:
    """What a cache folder holds."""

    directory: Path
    entries: tuple[CacheEntry, ...]  # most recently used first
    other_bytes: int  # size records and files of older cache formats

    @property
    def bytes(self) -> int:
        """Bytes of every file citebot keeps in the folder."""
        return sum(e.bytes for e in self.entries) + self.other_bytes


def _own_files(cache_dir: Path) -> Iterator[Path]:
    """Every file in `cache_dir` that citebot wrote: entries, entities, size records,
    older formats, and temporary files a killed process left."""
    if not cache_dir.is_dir():
        return
    for path in cache_dir.iterdir():
        name = path.name
        if path.is_file() and (
            name.endswith((ENTRY_SUFFIX, ENTITIES_SUFFIX, *LEGACY_SUFFIXES))
            or (name.startswith(".") and name.endswith(".tmp"))
        ):
            yield path
    sources = cache_dir / SOURCES
    if sources.is_dir():
        yield from (p for p in sources.iterdir() if p.is_file())


def cache_info(cache_dir: Path) -> CacheInfo:
    """The entries of a cache folder (none if it does not exist)."""
    sizes: dict[str, int] = {}
    other = 0
    entries_files = []
    for path in _own_files(cache_dir):
        size = path.stat().st_size
        key = path.name.split(".", 1)[0]
        if path.name.endswith(ENTRY_SUFFIX):
            entries_files.append(path)
            sizes[key] = sizes.get(key, 0) + size
        elif path.name.endswith(ENTITIES_SUFFIX) and path.parent == cache_dir:
            sizes[key] = sizes.get(key, 0) + size
        else:
            other += size
    entries = []
    for path in entries_files:
        key = path.name.removesuffix(ENTRY_SUFFIX)
        try:
            meta = arrayfile.read_meta(path)
            readable = meta.get("format") == CACHE_FORMAT and meta.get("key") == key
            titles = tuple(str(t) for t in meta.get("titles", ())) if readable else ()
            passages = int(meta.get("passages", 0)) if readable else 0
        except (OSError, arrayfile.ArrayFileError, TypeError, ValueError):
            readable, titles, passages = False, (), 0
        used = path.stat().st_mtime
        entries.append(CacheEntry(key, titles, passages, sizes.pop(key), used, readable))
    other += sum(sizes.values())  # entities whose entry is gone
    entries.sort(key=lambda e: -e.last_used)
    return CacheInfo(cache_dir, tuple(entries), other)


@dataclass(frozen=True, slots=True)
class Cleared:
    """What clear_cache removed."""

    entries: int
    bytes: int


def clear_cache(cache_dir: Path) -> Cleared:
    """Remove every file citebot keeps in `cache_dir` (nothing else); OSError if it cannot."""
    entries = removed = 0
    for path in list(_own_files(cache_dir)):
        size = path.stat().st_size
        path.unlink(missing_ok=True)
        removed += size
        entries += path.name.endswith(ENTRY_SUFFIX)
    sources = cache_dir / SOURCES
    if sources.is_dir() and not any(sources.iterdir()):
        sources.rmdir()
    return Cleared(entries, removed)
