"""The on-disk cache: used when intact, rebuilt when stale or corrupt, never trusted blindly,
and never a reason for citebot to fail."""

from __future__ import annotations

import errno
import logging
import os
import shutil
from pathlib import Path

import pytest

import knowledge.entity_finder
from knowledge.document import citing_passages
from knowledge.entity_finder import extract_entities
from knowledge.loader import load_paths
from retrieval import arrayfile, cache
from retrieval.search import KnowledgeBase, SearchSettings

DATA = Path(__file__).parent / "data"
BUNDLED = Path(__file__).parent.parent / "knowledge" / "anti-stalinist-left.txt"


@pytest.fixture
def document(tmp_path: Path) -> Path:
    copy = tmp_path / "docs" / "article.txt"
    copy.parent.mkdir()
    shutil.copy(BUNDLED, copy)
    return copy


def load(document: Path, cache_dir: Path) -> KnowledgeBase:
    return KnowledgeBase.from_paths([document], SearchSettings(cache_dir=cache_dir))


def entry(cache_dir: Path) -> Path:
    (found,) = cache_dir.glob(f"*{cache.ENTRY_SUFFIX}")
    return found


def test_warm_start_gives_the_same_answers(document: Path, tmp_path: Path) -> None:
    cache_dir = tmp_path / "cache"
    cold = load(document, cache_dir)
    entry(cache_dir)
    warm = load(document, cache_dir)
    # The last reads the spelling table the entry keeps: "trotksy" is fixed as when cold.
    questions = ("When was Trotsky exiled?", "Who funded the CCF?", "bake bread", "trotksy exile")
    for question in questions:
        assert warm.ask(question) == cold.ask(question)
    assert warm.figure("Trotksy") == cold.figure("Trotksy")
    assert warm.timeline() == cold.timeline()
    assert warm.reference(19) == cold.reference(19)
    assert warm.documents[0].passages == cold.documents[0].passages
    assert warm.documents[0].entities == cold.documents[0].entities


def test_cached_documents_equal_loaded_ones(tmp_path: Path) -> None:
    # Sections, page locators, captions and references all come back from the columns.
    folder = tmp_path / "docs"
    folder.mkdir()
    shutil.copy(DATA / "wiki" / "anarchism.wiki", folder)
    shutil.copy(DATA / "corpus" / "bodmin.txt", folder)
    shutil.copy(DATA / "corpus" / "bodmin.refs.json", folder)
    settings = SearchSettings(cache_dir=tmp_path / "cache")
    KnowledgeBase.from_paths([folder], settings)
    warm = KnowledgeBase.from_paths([folder], settings)
    for cached, loaded in zip(warm.documents, load_paths([folder]), strict=True):
        assert cached == loaded
        assert cached.passages == loaded.passages
        assert cached.passages[-1] == loaded.passages[-1]
        assert cached.passages[3:6] == loaded.passages[3:6]
        # The passages citing something, as the references look-up reads them.
        citing = list(citing_passages(loaded.passages))
        assert citing and list(citing_passages(cached.passages)) == citing
    assert any(p.section for p in warm.documents[0].passages)
    assert any(p.pages for d in warm.documents for p in d.passages)


def test_entities_are_found_with_the_index_and_never_again(
    document: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache_dir = tmp_path / "cache"
    first = load(document, cache_dir)
    assert len(list(cache_dir.glob(f"*{cache.ENTITIES_SUFFIX}"))) == 1
    unanswered = "trotsky recipes for borscht and pierogi"  # suggests Leon Trotsky
    expected = first.figure("Trotsky"), first.event("kronstadt"), first.ask(unanswered)
    assert expected[2].suggestions

    def not_again(texts: object) -> None:
        raise AssertionError("entities were found again")

    monkeypatch.setattr(knowledge.entity_finder, "extract_entities", not_again)
    warm = load(document, cache_dir)
    # Not even the question that finds nothing (its suggestions read the entities).
    assert (warm.figure("Trotsky"), warm.event("kronstadt"), warm.ask(unanswered)) == expected


def test_without_a_cache_entities_wait_for_first_use(
    document: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def not_yet(texts: object) -> None:
        raise AssertionError("entities were found before any query needed them")

    monkeypatch.setattr(knowledge.entity_finder, "extract_entities", not_yet)
    kb = KnowledgeBase.from_paths([document], SearchSettings(cache_dir=None))
    assert kb.ask("When was Trotsky exiled?").found


def test_changed_document_is_not_served_from_the_old_cache(document: Path, tmp_path: Path) -> None:
    cache_dir = tmp_path / "cache"
    load(document, cache_dir)
    with document.open("a", encoding="utf-8") as handle:
        handle.write("\n\n[99] Zanzibar sultans collected rare stamps in 1901.\n")
    answer = load(document, cache_dir).ask("Zanzibar stamps")
    assert answer.found and answer.hits[0].refs == (99,)


def test_unchanged_files_are_not_hashed_again(
    document: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache_dir = tmp_path / "cache"
    load(document, cache_dir)

    def no_hashing(paths: object) -> str:
        raise AssertionError("the documents were hashed again")

    with monkeypatch.context() as patch:
        patch.setattr(cache, "cache_key", no_hashing)
        assert load(document, cache_dir).ask("When was Trotsky exiled?").found
    # Touched, same bytes: hashed again, and the same entry serves.
    built = entry(cache_dir).stat().st_ino
    os.utime(document, ns=(1, 1))
    load(document, cache_dir)
    assert entry(cache_dir).stat().st_ino == built


@pytest.mark.parametrize(
    "damage", ["garble-header", "garble-documents", "truncate", "other-format", "empty"]
)
def test_corrupt_cache_is_rebuilt(
    document: Path, tmp_path: Path, damage: str, caplog: pytest.LogCaptureFixture
) -> None:
    cache_dir = tmp_path / "cache"
    load(document, cache_dir)
    path = entry(cache_dir)
    data = bytearray(path.read_bytes())
    if damage == "garble-header":
        data[-20] ^= 0xFF  # the header is at the end
    elif damage == "garble-documents":  # the pickled metadata, checked at every load
        arrays, _ = arrayfile.read(path)
        at = data.find(arrays["documents"].tobytes())
        del arrays
        data[at + 10] ^= 0xFF
    elif damage == "truncate":
        data = data[: len(data) // 2]
    elif damage == "other-format":
        data = bytearray(b"not a cache at all\n" + data)
    else:
        data = bytearray()
    path.write_bytes(bytes(data))
    with caplog.at_level(logging.WARNING, logger="citebot.cache"):
        rebuilt = load(document, cache_dir)
    assert "rebuilding" in caplog.text
    assert rebuilt.ask("When was Trotsky exiled?").hits[0].refs == (19,)
    assert load(document, cache_dir).ask("When was Trotsky exiled?").hits[0].refs == (19,)


def entities_file(cache_dir: Path) -> Path:
    (found,) = cache_dir.glob(f"*{cache.ENTITIES_SUFFIX}")
    return found


@pytest.mark.parametrize("damage", ["older-format", "garble-positions", "truncate", "empty"])
def test_stale_or_damaged_entities_are_found_again(
    document: Path,
    tmp_path: Path,
    damage: str,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    cache_dir = tmp_path / "cache"
    first = load(document, cache_dir)
    expected = first.figure("Trotsky"), first.event("kronstadt"), first.timeline()
    path = entities_file(cache_dir)
    data = bytearray(path.read_bytes())
    if damage == "older-format":  # citebot-cache-2 kept a JSON line and a pickle
        data = bytearray(b'{"format": "citebot-cache-2", "key": "x", "crc": 0}\n\x80garbage')
    elif damage == "garble-positions":
        arrays, _ = arrayfile.read(path)
        at = data.find(arrays["positions"].tobytes())
        del arrays
        data[at] ^= 0x01
    elif damage == "truncate":
        data = data[: len(data) // 2]
    else:
        data = bytearray()
    path.write_bytes(bytes(data))
    found = []
    monkeypatch.setattr(
        knowledge.entity_finder,
        "extract_entities",
        lambda texts: found.append(1) or extract_entities(texts),
    )
    with caplog.at_level(logging.WARNING, logger="citebot.cache"):
        again = load(document, cache_dir)
        assert (again.figure("Trotsky"), again.event("kronstadt"), again.timeline()) == expected
    assert "finding them again" in caplog.text and found == [1]
    # Kept again, whole: the next start reads them.
    warm = load(document, cache_dir)
    assert (warm.figure("Trotsky"), warm.event("kronstadt"), warm.timeline()) == expected
    assert found == [1]


def test_older_cache_files_are_ignored(document: Path, tmp_path: Path) -> None:
    cache_dir = tmp_path / "cache"
    cache_dir.mkdir()
    key = cache.cache_key([document])
    (cache_dir / f"{key}.documents").write_bytes(b'{"format": "citebot-cache-1"}\n\x80garbage')
    (cache_dir / f"{key}.index.npz").write_bytes(b"PK garbage")
    assert load(document, cache_dir).ask("When was Trotsky exiled?").found
    assert load(document, cache_dir).ask("When was Trotsky exiled?").found


def test_unwritable_cache_dir_warns_once_and_answers(
    document: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    blocker = tmp_path / "file-not-dir"
    blocker.write_text("x", encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="citebot.cache"):
        kb = load(document, blocker / "cache")
        assert kb.ask("When was Trotsky exiled?").found
        assert kb.figure("Trotsky").found  # keeping the entities fails too: no second line
    assert len(caplog.records) == 1
    assert "going on without saving to it" in caplog.records[0].getMessage()


def test_full_disk_warns_once_and_answers(
    document: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    def full(*args: object, **kwargs: object) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(arrayfile, "write", full)
    cache_dir = tmp_path / "cache"
    with caplog.at_level(logging.WARNING, logger="citebot.cache"):
        kb = load(document, cache_dir)
        assert kb.ask("When was Trotsky exiled?").found
    assert len(caplog.records) == 1
    assert os.strerror(errno.ENOSPC) in caplog.text
    assert not list(cache_dir.glob(f"*{cache.ENTRY_SUFFIX}"))


def test_read_only_cache_still_serves(document: Path, tmp_path: Path) -> None:
    cache_dir = tmp_path / "cache"
    expected = load(document, cache_dir).ask("When was Trotsky exiled?")
    # What a read-only folder refuses: writing the entities beside the entry.
    original = cache._write_atomic
    try:
        cache._write_atomic = lambda *args: False  # type: ignore[assignment]
        warm = load(document, cache_dir)
        assert warm.ask("When was Trotsky exiled?") == expected
        assert warm.figure("Trotsky").found
    finally:
        cache._write_atomic = original


def test_default_cache_dir_follows_xdg(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cache.sys, "platform", "linux")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache.default_cache_dir() == tmp_path / "xdg" / "citebot"
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/path")  # invalid by the spec: ignored
    assert cache.default_cache_dir() == tmp_path / "home" / ".cache" / "citebot"
    monkeypatch.delenv("XDG_CACHE_HOME")
    assert cache.default_cache_dir() == tmp_path / "home" / ".cache" / "citebot"
    monkeypatch.setattr(cache.sys, "platform", "darwin")
    assert cache.default_cache_dir() == tmp_path / "home" / "Library" / "Caches" / "citebot"


def test_info_lists_entries_and_clear_removes_only_citebot_files(
    document: Path, tmp_path: Path
) -> None:
    cache_dir = tmp_path / "cache"
    assert cache.cache_info(cache_dir).entries == ()
    load(document, cache_dir).figure("Trotsky")
    second = tmp_path / "docs" / "other.txt"
    second.write_text("Other\n\nA single passage about gardens.\n", encoding="utf-8")
    load(second, cache_dir)
    (cache_dir / "notes.txt").write_text("mine", encoding="utf-8")
    (cache_dir / "old.index.npz").write_bytes(b"x" * 10)  # an older format's file

    info = cache.cache_info(cache_dir)
    assert [e.titles for e in info.entries] == [("Other",), ("Anti-Stalinist left",)]
    assert info.entries[0].passages == 1
    assert all(e.readable and e.bytes > 0 for e in info.entries)
    assert info.entries[0].last_used >= info.entries[1].last_used
    own = sum(p.stat().st_size for p in cache_dir.rglob("*") if p.is_file())
    assert info.bytes == own - len("mine")

    cleared = cache.clear_cache(cache_dir)
    assert (cleared.entries, cleared.bytes) == (2, info.bytes)
    assert [p.name for p in cache_dir.iterdir()] == ["notes.txt"]
    assert cache.cache_info(cache_dir).entries == ()
    assert load(document, cache_dir).ask("When was Trotsky exiled?").found
