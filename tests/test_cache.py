"""The on-disk cache: used when intact, rebuilt when stale or corrupt, never trusted blindly."""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

import pytest

from retrieval.search import KnowledgeBase, SearchSettings

BUNDLED = Path(__file__).parent.parent / "knowledge" / "anti-stalinist-left.txt"


@pytest.fixture
def document(tmp_path: Path) -> Path:
    copy = tmp_path / "docs" / "article.txt"
    copy.parent.mkdir()
    shutil.copy(BUNDLED, copy)
    return copy


def load(document: Path, cache_dir: Path) -> KnowledgeBase:
    return KnowledgeBase.from_paths([document], SearchSettings(cache_dir=cache_dir))


def test_warm_start_gives_the_same_answers(document: Path, tmp_path: Path) -> None:
    cache_dir = tmp_path / "cache"
    cold = load(document, cache_dir)
    assert len(list(cache_dir.glob("*.documents"))) == 1
    warm = load(document, cache_dir)
    for question in ("When was Trotsky exiled?", "Who funded the CCF?", "bake bread"):
        assert warm.ask(question) == cold.ask(question)
    assert warm.figure("Trotksy") == cold.figure("Trotksy")
    assert warm.timeline() == cold.timeline()


def test_changed_document_is_not_served_from_the_old_cache(document: Path, tmp_path: Path) -> None:
    cache_dir = tmp_path / "cache"
    load(document, cache_dir)
    with document.open("a", encoding="utf-8") as handle:
        handle.write("\n\n[99] Zanzibar sultans collected rare stamps in 1901.\n")
    answer = load(document, cache_dir).ask("Zanzibar stamps")
    assert answer.found and answer.hits[0].refs == (99,)


@pytest.mark.parametrize("damage", ["garble-documents", "truncate-index", "garble-header"])
def test_corrupt_cache_is_rebuilt(
    document: Path, tmp_path: Path, damage: str, caplog: pytest.LogCaptureFixture
) -> None:
    cache_dir = tmp_path / "cache"
    load(document, cache_dir)
    documents_file = next(cache_dir.glob("*.documents"))
    index_file = next(cache_dir.glob("*.index.npz"))
    if damage == "garble-documents":
        data = bytearray(documents_file.read_bytes())
        data[-50] ^= 0xFF
        documents_file.write_bytes(bytes(data))
    elif damage == "truncate-index":
        index_file.write_bytes(index_file.read_bytes()[:100])
    else:
        documents_file.write_bytes(b"not json\n" + documents_file.read_bytes())
    with caplog.at_level(logging.WARNING, logger="citebot.cache"):
        rebuilt = load(document, cache_dir)
    assert "rebuilding" in caplog.text
    assert rebuilt.ask("When was Trotsky exiled?").hits[0].refs == (19,)
    assert load(document, cache_dir).ask("When was Trotsky exiled?").hits[0].refs == (19,)


def test_unwritable_cache_dir_still_answers(document: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "file-not-dir"
    blocker.write_text("x", encoding="utf-8")
    kb = load(document, blocker / "cache")
    assert kb.ask("When was Trotsky exiled?").found
