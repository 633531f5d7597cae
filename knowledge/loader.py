"""Load documents from files and folders, with an optional sidecar YAML beside each.

Formats, by suffix: citebot's plain text (`.txt`, `.md`), Wikipedia's wikitext (`.wiki`,
`.wikitext`) and saved Wikipedia pages (`.html`, `.htm`). A sidecar `NAME.yaml` next to the file
may give `title`, `source_url`, `licence`, `references` (number -> reference text, for plain text),
and refine the automatically found entities: `figures` / `events` (name -> extra aliases; a new
name adds an entity), `not_figures` / `not_events` (names to drop). Beside a plain text file,
`NAME.refs.json` ({"19": "reference text"}) gives the references too.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from knowledge.article import Article, Reference
from knowledge.document import Document, KnowledgeError, article_passages, split_passages
from knowledge.entities import Refinements

BUNDLED = Path(__file__).with_name("anti-stalinist-left.txt")
PLAIN_SUFFIXES = (".txt", ".md")
WIKITEXT_SUFFIXES = (".wiki", ".wikitext")
HTML_SUFFIXES = (".html", ".htm")
DOCUMENT_SUFFIXES = PLAIN_SUFFIXES + WIKITEXT_SUFFIXES + HTML_SUFFIXES
SIDECAR_KEYS = {
    "title",
    "source_url",
    "licence",
    "references",
    "figures",
    "events",
    "not_figures",
    "not_events",
}
_URL = re.compile(r"https?://[^\s<>\"\]|]+")


def _read_sidecar(path: Path) -> dict[str, Any]:
    sidecar = sidecar_path(path)
    if not sidecar.is_file():
        return {}
    import yaml  # only documents with a sidecar need the YAML parser

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
    if "references" in raw:
        raw["references"] = references_from(raw["references"], str(sidecar))
    return raw


def references_from(raw: object, name: str) -> dict[int, Reference]:
    """References from a mapping of number to text ({"19": "Deutscher, Isaac (1963) …"}).

    The text's first http(s) address, if any, is its link.
    """
    if not isinstance(raw, dict):
        raise KnowledgeError(f"{name}: references must map numbers to reference texts")
    found: dict[int, Reference] = {}
    for key, text in raw.items():
        number = key if isinstance(key, int) else int(key) if str(key).isdigit() else None
        if number is None or number < 1:
            raise KnowledgeError(f"{name}: reference key {str(key)!r} is not a number")
        if not isinstance(text, str):
            raise KnowledgeError(f"{name}: reference {number} must be a text")
        url = _URL.search(text)
        link = url.group().rstrip(".,;:)") if url else None
        found[number] = Reference(number, text.strip(), link)
    return found


def refs_json_path(path: Path) -> Path:
    """Where a plain document's optional references file lives: NAME.refs.json."""
    return path.with_name(path.stem + ".refs.json")


def companion_paths(path: Path) -> list[Path]:
    """The files beside a document that change what loading it gives (sidecar, references)."""
    return [sidecar_path(path), refs_json_path(path)]


def _read_refs_json(path: Path) -> dict[int, Reference]:
    refs = refs_json_path(path)
    if path.suffix.lower() not in PLAIN_SUFFIXES or not refs.is_file():
        return {}
    try:
        raw = json.loads(refs.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise KnowledgeError(f"{refs}: cannot read ({exc})") from None
    except json.JSONDecodeError as exc:
        raise KnowledgeError(f"{refs} line {exc.lineno}: not valid JSON") from None
    return references_from(raw, str(refs))


def _refinements(meta: Mapping[str, Any]) -> Refinements:
    return Refinements(
        figures=meta.get("figures") or {},
        events=meta.get("events") or {},
        not_figures=tuple(meta.get("not_figures") or ()),
        not_events=tuple(meta.get("not_events") or ()),
    )


def parse_document(text: str, path: Path, sidecar: Mapping[str, Any] | None = None) -> Document:
    """Build a Document from plain text; `path` names it in errors and gives its id."""
    title, passages = split_passages(text, path.stem, str(path))
    meta = dict(sidecar or {})
    return Document(
        id=path.stem,
        title=meta.get("title", title),
        passages=passages,
        source_url=meta.get("source_url"),
        licence=meta.get("licence"),
        path=str(path),
        refinements=_refinements(meta),
        references=meta.get("references") or {},
    )


def article_document(article: Article, path: Path, sidecar: Mapping[str, Any]) -> Document:
    """Build a Document from an article read from wikitext or HTML."""
    passages = article_passages(article, path.stem)
    if not passages:
        raise KnowledgeError(f"{path}: no prose passages in this article")
    return Document(
        id=path.stem,
        title=sidecar.get("title", article.title),
        passages=passages,
        source_url=sidecar.get("source_url", article.source_url),
        licence=sidecar.get("licence"),
        path=str(path),
        refinements=_refinements(sidecar),
        references={**article.references, **(sidecar.get("references") or {})},
    )


def _read_text(path: Path) -> str:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise KnowledgeError(f"{path}: cannot read ({exc.strerror})") from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise KnowledgeError(f"{path} line {line}: not UTF-8 text") from None


def load_file(path: Path) -> Document:
    """Load one document file (and its sidecar), or raise KnowledgeError naming the file."""
    text = _read_text(path)
    sidecar = _read_sidecar(path)
    suffix = path.suffix.lower()
    # The readers of Wikipedia's formats import their parsers; plain text needs neither.
    if suffix in WIKITEXT_SUFFIXES:
        from knowledge.wikitext import read_wikitext

        return article_document(read_wikitext(text, str(path)), path, sidecar)
    if suffix in HTML_SUFFIXES:
        from knowledge.html_article import read_html

        return article_document(read_html(text, str(path)), path, sidecar)
    if "references" not in sidecar:
        sidecar["references"] = _read_refs_json(path)
    return parse_document(text, path, sidecar)


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
                p for p in path.iterdir() if p.suffix.lower() in DOCUMENT_SUFFIXES and p.is_file()
            )
            if not inside:
                kinds = ", ".join(f"*{suffix}" for suffix in DOCUMENT_SUFFIXES)
                raise KnowledgeError(f"{path}: no documents ({kinds}) in this folder")
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
