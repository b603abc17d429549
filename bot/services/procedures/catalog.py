"""Read and validate the procedure catalog (data/procedures/<field>/<code>.yaml).

Every file is checked before anything is used; any problem rejects the whole catalog with one
`file:line: message` per problem (lines come from the YAML parser's marks).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from bot.services.procedures.guides import (
    FIELDS,
    KINDS,
    LABEL_MAX,
    REQUIRED_TOPICS,
    SOURCE_TOPICS,
    STATUSES,
    Guide,
    Source,
    case_from,
)

CODE_RE = re.compile(r"^\d\.\d{6}$")
SLUG_RE = re.compile(r"^[a-z0-9_]{1,32}$")
DEFAULT_CATALOG = Path(__file__).resolve().parents[3] / "data" / "procedures"

_TEXT_PAIRS = ("title", "summary", "where")
_CASE_PAIRS = ("title", "fee", "processing_time")
_TOP_KEYS = {
    *(f"{p}_{lang}" for p in (*_TEXT_PAIRS, "check_at_counter") for lang in ("vi", "en")),
    *("code", "field", "keywords", "cases", "online", "portal_url", "legal_basis"),
    *("verified_on", "verified_by", "sources", "status", "replaced_by"),
}
_CASE_KEYS = {
    "id",
    "documents",
    "steps_vi",
    "steps_en",
    *(f"{p}_{lang}" for p in (*_CASE_PAIRS, "label") for lang in ("vi", "en")),
}
_SOURCE_KEYS = {"about", "text", "article"}
_DOC_KEYS = {"name_vi", "name_en", "kind", "count", "note_vi", "note_en"}


class CatalogRejected(Exception):
    """The catalog has problems; `problems` holds one "file:line: message" each."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__(f"{len(problems)} problem(s) in the catalog")


class _Map(dict[str, Any]):
    """A YAML mapping that remembers its own line and the line of each key."""

    line = 0
    key_lines: dict[str, int]


class _Loader(yaml.SafeLoader):
    pass


def _construct_map(loader: _Loader, node: yaml.MappingNode) -> _Map:
    loader.flatten_mapping(node)
    out = _Map()
    out.line, out.key_lines = node.start_mark.line + 1, {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        line = key_node.start_mark.line + 1
        if key in out:
            raise yaml.MarkedYAMLError(
                problem=f"duplicate key {key!r}", problem_mark=key_node.start_mark
            )
        out[key] = loader.construct_object(value_node, deep=True)
        out.key_lines[str(key)] = line
    return out


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_map)


class _FileCheck:
    """Collects problems for one file, each with the line it refers to."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.problems: list[str] = []

    def add(self, line: int, message: str) -> None:
        self.problems.append(f"{self.label}:{line}: {message}")

    def line_of(self, m: _Map, key: str) -> int:
        return m.key_lines.get(key, m.line)

    def text(self, m: _Map, key: str, *, optional: bool = False) -> None:
        value = m.get(key)
        if value is None and optional:
            return
        if key not in m:
            self.add(m.line, f"missing {key!r}")
        elif not isinstance(value, str) or not value.strip():
            self.add(self.line_of(m, key), f"{key!r} must be non-empty text")

    def text_list(self, m: _Map, key: str, low: int, high: int) -> list[str]:
        value = m.get(key)
        if key not in m:
            self.add(m.line, f"missing {key!r}")
            return []
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            self.add(self.line_of(m, key), f"{key!r} must be a list of non-empty texts")
            return []
        if not low <= len(value) <= high:
            self.add(self.line_of(m, key), f"{key!r} needs {low}-{high} items, has {len(value)}")
        return value

    def unknown_keys(self, m: _Map, allowed: set[str]) -> None:
        for key in m:
            if key not in allowed:
                self.add(self.line_of(m, key), f"unknown key {key!r}")

    def mapping(self, value: Any, line: int, what: str) -> bool:
        """True when `value` is a mapping; else the problem is recorded."""
        if isinstance(value, _Map):
            return True
        self.add(line, f"each {what} must be a mapping")
        return False

    def pair(self, m: _Map, name: str) -> None:
        vi, en = m.get(f"{name}_vi"), m.get(f"{name}_en")
        if (vi is None) != (en is None):
            self.add(m.line, f"'{name}_vi' and '{name}_en' must both be set or both be null")


def _check_document(c: _FileCheck, doc: Any, line: int) -> None:
    if not c.mapping(doc, line, "document (name_vi, name_en, kind, count)"):
        return
    c.unknown_keys(doc, _DOC_KEYS)
    c.text(doc, "name_vi")
    c.text(doc, "name_en")
    c.pair(doc, "note")
    c.text(doc, "note_vi", optional=True)
    c.text(doc, "note_en", optional=True)
    if doc.get("kind") not in KINDS:
        c.add(c.line_of(doc, "kind"), f"'kind' must be one of {', '.join(KINDS)}")
    count = doc.get("count")
    if not isinstance(count, int) or isinstance(count, bool) or not 1 <= count <= 20:
        c.add(c.line_of(doc, "count"), "'count' must be a whole number from 1 to 20")


def _check_case(c: _FileCheck, case: Any, line: int, seen: set[str]) -> None:
    if not c.mapping(case, line, "case"):
        return
    c.unknown_keys(case, _CASE_KEYS)
    cid = case.get("id")
    if not isinstance(cid, str) or not SLUG_RE.match(cid):
        c.add(c.line_of(case, "id"), "case 'id' must be a short slug of a-z, 0-9 and _")
    elif cid in seen:
        c.add(c.line_of(case, "id"), f"duplicate case id {cid!r}")
    else:
        seen.add(cid)
    for p in _CASE_PAIRS:
        c.text(case, f"{p}_vi")
        c.text(case, f"{p}_en")
    vi = c.text_list(case, "steps_vi", 1, 30)
    en = c.text_list(case, "steps_en", 1, 30)
    if vi and en and len(vi) != len(en):
        c.add(c.line_of(case, "steps_en"), f"'steps_en' has {len(en)} steps, 'steps_vi' {len(vi)}")
    docs = case.get("documents")
    if not isinstance(docs, list) or not docs:
        c.add(c.line_of(case, "documents"), "'documents' must be a non-empty list")
        return
    for doc in docs:
        _check_document(c, doc, getattr(doc, "line", c.line_of(case, "documents")))


def _check_file(c: _FileCheck, m: _Map, path: Path) -> None:
    c.unknown_keys(m, _TOP_KEYS)
    code = m.get("code")
    if not isinstance(code, str) or not CODE_RE.match(code):
        c.add(c.line_of(m, "code"), "'code' must be a national code such as \"1.001193\" (quoted)")
    elif code != path.stem:
        c.add(c.line_of(m, "code"), f"'code' {code!r} differs from the file name {path.name!r}")
    fld = m.get("field")
    if fld not in FIELDS:
        c.add(c.line_of(m, "field"), f"'field' must be one of {', '.join(FIELDS)}")
    elif path.parent.name in FIELDS and fld != path.parent.name:
        folder = path.parent.name
        c.add(c.line_of(m, "field"), f"'field' {fld!r} differs from the folder {folder!r}")
    for p in _TEXT_PAIRS:
        c.text(m, f"{p}_vi")
        c.text(m, f"{p}_en")
    c.pair(m, "check_at_counter")
    c.text(m, "check_at_counter_vi", optional=True)
    c.text(m, "check_at_counter_en", optional=True)
    c.text_list(m, "keywords", 3, 30)
    c.text_list(m, "legal_basis", 1, 30)
    if not isinstance(m.get("online"), bool):
        c.add(c.line_of(m, "online"), "'online' must be true or false")
    url = m.get("portal_url")
    if not isinstance(url, str) or not url.startswith("https://"):
        c.add(c.line_of(m, "portal_url"), "'portal_url' must be an https:// link")
    _check_verification(c, m)
    status = m.get("status")
    if status not in STATUSES:
        c.add(c.line_of(m, "status"), f"'status' must be one of {', '.join(STATUSES)}")
    replaced_by = m.get("replaced_by")
    if status == "replaced" and not (isinstance(replaced_by, str) and CODE_RE.match(replaced_by)):
        c.add(c.line_of(m, "replaced_by"), "a replaced procedure needs 'replaced_by' (new code)")
    if status == "in_force" and replaced_by is not None:
        c.add(c.line_of(m, "replaced_by"), "'replaced_by' must be null while 'status: in_force'")
    cases = m.get("cases")
    if not isinstance(cases, list) or not cases:
        c.add(c.line_of(m, "cases"), "'cases' must be a non-empty list")
        return
    seen: set[str] = set()
    for case in cases:
        _check_case(c, case, getattr(case, "line", c.line_of(m, "cases")), seen)
        if len(cases) > 1 and isinstance(case, _Map):
            _check_label(c, case)


def _check_label(c: _FileCheck, case: _Map) -> None:
    """Several cases are told apart by their buttons: each needs a label a phone shows whole."""
    for lang in ("vi", "en"):
        key = f"label_{lang}"
        label = case.get(key) or case.get(f"title_{lang}")
        if isinstance(label, str) and len(label) > LABEL_MAX:
            c.add(c.line_of(case, key), f"{key!r} must be at most {LABEL_MAX} characters")


def _check_verification(c: _FileCheck, m: _Map) -> None:
    """Who checked the facts and when (both or neither), and a source per fact group."""
    verified, by = m.get("verified_on"), m.get("verified_by")
    if verified is not None and not isinstance(verified, date):
        try:
            date.fromisoformat(str(verified))
        except ValueError:
            c.add(c.line_of(m, "verified_on"), "'verified_on' must be a date such as 2026-11-01")
    if (verified is None) != (by is None):
        c.add(m.line, "'verified_on' and 'verified_by' (a role) must both be set or both be null")
    c.text(m, "verified_by", optional=True)
    sources = m.get("sources")
    if not isinstance(sources, list) or not sources:
        c.add(c.line_of(m, "sources"), "'sources' must list the legal text of each fact group")
        return
    topics = set()
    for src in sources:
        line = getattr(src, "line", c.line_of(m, "sources"))
        if not c.mapping(src, line, "source (about, text, article)"):
            continue
        c.unknown_keys(src, _SOURCE_KEYS)
        c.text(src, "text")
        c.text(src, "article")
        if src.get("about") not in SOURCE_TOPICS:
            c.add(c.line_of(src, "about"), f"'about' must be one of {', '.join(SOURCE_TOPICS)}")
        topics.add(src.get("about"))
    for topic in REQUIRED_TOPICS:
        if topic not in topics:
            c.add(c.line_of(m, "sources"), f"'sources' has no source 'about: {topic}'")


def _nfc(value: Any) -> Any:
    """NFC everywhere: typed text may hold decomposed accents, which render badly in PDFs."""
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value.strip())
    if isinstance(value, list):
        return [_nfc(v) for v in value]
    if isinstance(value, dict):
        return {k: _nfc(v) for k, v in value.items()}
    return value


def guide_from(data: dict[str, Any]) -> Guide:
    """A Guide from a validated mapping (a catalog file, or a database row's values)."""
    d = _nfc(data)
    verified = d.get("verified_on")
    return Guide(
        code=d["code"],
        title_vi=d["title_vi"],
        title_en=d["title_en"],
        field=d["field"],
        summary_vi=d["summary_vi"],
        summary_en=d["summary_en"],
        keywords=tuple(d["keywords"]),
        cases=tuple(case_from(c) for c in d["cases"]),
        where_vi=d["where_vi"],
        where_en=d["where_en"],
        online=bool(d["online"]),
        portal_url=d["portal_url"],
        legal_basis=tuple(d["legal_basis"]),
        verified_on=(
            verified
            if isinstance(verified, date) or verified is None
            else date.fromisoformat(verified)
        ),
        verified_by=d.get("verified_by"),
        sources=tuple(Source(**s) for s in d.get("sources") or ()),
        status=d["status"],
        replaced_by=d.get("replaced_by"),
        check_at_counter_vi=d.get("check_at_counter_vi"),
        check_at_counter_en=d.get("check_at_counter_en"),
    )


def _files(root: Path) -> Iterable[Path]:
    if root.is_file():
        return [root]
    return sorted(p for p in root.rglob("*") if p.suffix in (".yaml", ".yml"))


def load_catalog(root: Path) -> list[Guide]:
    """Every guide under `root` (a folder or one file), or CatalogRejected with all problems."""
    if not root.exists():
        raise CatalogRejected([f"{root}: no such file or folder"])
    base = root if root.is_dir() else root.parent
    problems: list[str] = []
    guides: list[Guide] = []
    origin: dict[str, str] = {}
    for path in _files(root):
        label = str(path.relative_to(base)) if path.is_relative_to(base) else str(path)
        check = _FileCheck(label)
        try:
            data = yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            problems.append(f"{label}:{mark.line + 1 if mark else 1}: {exc.problem}")
            continue
        except (UnicodeDecodeError, yaml.YAMLError) as exc:
            problems.append(f"{label}:1: not a UTF-8 YAML file ({type(exc).__name__})")
            continue
        if not isinstance(data, _Map):
            problems.append(f"{label}:1: expected a mapping of keys (code, title_vi, ...)")
            continue
        _check_file(check, data, path)
        problems.extend(check.problems)
        if check.problems:
            continue
        code = data["code"]
        if code in origin:
            problems.append(f"{label}:{data.line}: code {code} is also in {origin[code]}")
            continue
        origin[code] = label
        guides.append(guide_from(data))
    if not guides and not problems:
        problems.append(f"{root}: no .yaml procedure files found")
    codes = set(origin)
    for g in guides:
        if g.replaced_by and g.replaced_by not in codes:
            problems.append(f"{origin[g.code]}:1: 'replaced_by' {g.replaced_by} is unknown")
    if problems:
        raise CatalogRejected(problems)
    return guides
