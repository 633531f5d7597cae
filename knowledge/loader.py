"""Load documents from files and folders, with an optional sidecar YAML beside each.

A sidecar `NAME.yaml` next to `NAME.txt` may give `title`, `source_url`, `licence`, and refine
the automatically found entities: `figures` / `events` (name -> extra aliases; a new name adds
an entity), `not_figures` / `not_events` (names to drop).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml

from knowledge.document import Document, KnowledgeError, split_passages
from knowledge.entities import Refinements

BUNDLED = Path(__file__).with_name("anti-stalinist-left.txt")
DOCUMENT_SUFFIXES = (".txt", ".md")
SIDECAR_KEYS = {"title", "source_url", "licence", "figures", "events", "not_figures", "not_events"}


def _read_sidecar(path: Path) -> dict[str, Any]:
    sidecar = sidecar_path(path)
    if not sidecar.is_file():
        return {}
    try:
        raw = yaml.safe_load(sidecar.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark is not None else ""
        raise KnowledgeError(f"{sidecar}{where}: not valid YAML") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise KnowledgeError(f"{sidecar}: cannot read ({exc})") from None
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise KnowledgeError(f"{sidecar}: expected a mapping of keys")
    unknown = sorted(str(k) for k in raw if k not in SIDECAR_KEYS)
    if unknown:
        raise KnowledgeError(f"{sidecar}: unknown key '{unknown[0]}'")
    for key in ("title", "source_url", "licence"):
        if key in raw and not isinstance(raw[key], str):
            raise KnowledgeError(f"{sidecar}: '{key}' must be a string")
    for key in ("figures", "events"):
        value = raw.get(key) or {}
        if not isinstance(value, dict) or not all(
            isinstance(v, list | type(None)) and all(isinstance(a, str) for a in v or [])
            for v in value.values()
        ):
            raise KnowledgeError(f"{sidecar}: '{key}' must map names to lists of aliases")
    for key in ("not_figures", "not_events"):
        value = raw.get(key) or []
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise KnowledgeError(f"{sidecar}: '{key}' must be a list of names")
    return raw


def parse_document(text: str, path: Path, sidecar: Mapping[str, Any] | None = None) -> Document:
    """Build a Document from its text; `path` names it in errors and gives its id."""
    title, passages = split_passages(text, path.stem, str(path))
    meta = dict(sidecar or {})
    return Document(
        id=path.stem,
        title=meta.get("title", title),
        passages=passages,
        source_url=meta.get("source_url"),
        licence=meta.get("licence"),
        path=str(path),
        refinements=Refinements(
            figures=meta.get("figures") or {},
            events=meta.get("events") or {},
            not_figures=tuple(meta.get("not_figures") or ()),
            not_events=tuple(meta.get("not_events") or ()),
        ),
    )


def load_file(path: Path) -> Document:
    """Load one document file (and its sidecar), or raise KnowledgeError naming the file."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise KnowledgeError(f"{path}: cannot read ({exc.strerror})") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise KnowledgeError(f"{path} line {line}: not UTF-8 text") from None
    return parse_document(text, path, _read_sidecar(path))


def document_files(paths: Sequence[Path]) -> list[Path]:
    """The document files that `paths` name: files as given, folders' documents sorted.

    No paths means the bundled document. Two documents with one name are refused, since the
    name is the document's id.
    """
    if not paths:
        return [BUNDLED]
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            inside = sorted(
                p for p in path.iterdir() if p.suffix in DOCUMENT_SUFFIXES and p.is_file()
            )
            if not inside:
                raise KnowledgeError(f"{path}: no documents (*.txt, *.md) in this folder")
            files.extend(inside)
        elif path.exists():
            files.append(path)
        else:
            raise KnowledgeError(f"{path}: no such file or folder")
    stems = [f.stem for f in files]
    duplicate = next((stem for stem in stems if stems.count(stem) > 1), None)
    if duplicate:
        raise KnowledgeError(f"two documents share the name '{duplicate}'; rename one of them")
    return files


def sidecar_path(path: Path) -> Path:
    """Where a document's optional sidecar YAML lives."""
    return path.with_suffix(".yaml")


def load_paths(paths: Sequence[Path]) -> list[Document]:
    """Load files and folders (documents directly inside a folder, sorted); () means bundled."""
    return [load_file(f) for f in document_files(paths)]
