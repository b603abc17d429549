"""The procedure guide as plain values: what the bot, the web pages, the CLI and search share.

No database and no aiogram here: `catalog` builds these from YAML, `procedures` from table rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

# Field folders of data/procedures, in the order people browse them.
FIELDS = (
    "ho_tich",
    "chung_thuc",
    "cu_tru",
    "bao_tro_xa_hoi",
    "dat_dai",
    "xay_dung",
    "kinh_doanh",
    "khac",
)
KINDS = ("original", "copy", "certified_copy", "present", "form")
STATUSES = ("in_force", "replaced")
LANGS = ("vi", "en")
# Fact groups a guide cites its legal sources for; the first three are required.
SOURCE_TOPICS = ("fee", "time", "documents", "where", "eligibility")
REQUIRED_TOPICS = ("fee", "time", "documents")
STALE_AFTER = timedelta(days=180)  # a check older than this is shown as possibly outdated
LABEL_MAX = 32  # characters on a case button; the full wording is in the card


def pick(obj: Any, name: str, lang: str) -> Any:
    """`obj.<name>_<lang>`, falling back to Vietnamese (the source of truth)."""
    return getattr(obj, f"{name}_{lang if lang in LANGS else 'vi'}")


@dataclass(frozen=True)
class Document:
    name_vi: str
    name_en: str
    kind: str
    count: int
    note_vi: str | None = None
    note_en: str | None = None


@dataclass(frozen=True)
class Case:
    id: str
    title_vi: str
    title_en: str
    documents: tuple[Document, ...]
    steps_vi: tuple[str, ...]
    steps_en: tuple[str, ...]
    fee_vi: str
    fee_en: str
    processing_time_vi: str
    processing_time_en: str
    label_vi: str | None = None  # a short button label (≤ LABEL_MAX) when titles are long
    label_en: str | None = None

    def label(self, lang: str) -> str:
        short = pick(self, "label", lang)
        return short or pick(self, "title", lang)


@dataclass(frozen=True)
class Source:
    """Where a group of facts (fee, time limit, documents...) comes from."""

    about: str  # one of SOURCE_TOPICS
    text: str  # the legal text: "Luật Hộ tịch 2014", "Thông tư 75/2022/TT-BTC"
    article: str  # "Điều 11 khoản 1"


@dataclass(frozen=True)
class Guide:
    """One administrative procedure as residents need it."""

    code: str
    title_vi: str
    title_en: str
    field: str
    summary_vi: str
    summary_en: str
    keywords: tuple[str, ...]
    cases: tuple[Case, ...]
    where_vi: str
    where_en: str
    online: bool
    portal_url: str
    legal_basis: tuple[str, ...]
    verified_on: date | None  # None: no official has checked it
    status: str = "in_force"
    replaced_by: str | None = None
    check_at_counter_vi: str | None = None
    check_at_counter_en: str | None = None
    verified_by: str | None = None  # the role that checked it ("Công chức tư pháp - hộ tịch")
    sources: tuple[Source, ...] = ()

    def verification(self, today: date) -> str:
        """ "unverified", "stale" (checked over STALE_AFTER ago) or "current"."""
        if self.verified_on is None:
            return "unverified"
        return "stale" if today - self.verified_on > STALE_AFTER else "current"

    @property
    def in_force(self) -> bool:
        return self.status == "in_force"

    def case(self, index: int) -> Case:
        """The case at `index`, or the first one when out of range (stale buttons)."""
        return self.cases[index] if 0 <= index < len(self.cases) else self.cases[0]


def document_from(data: dict[str, Any]) -> Document:
    return Document(
        name_vi=data["name_vi"],
        name_en=data["name_en"],
        kind=data["kind"],
        count=int(data["count"]),
        note_vi=data.get("note_vi"),
        note_en=data.get("note_en"),
    )


def case_from(data: dict[str, Any]) -> Case:
    return Case(
        id=data["id"],
        title_vi=data["title_vi"],
        title_en=data["title_en"],
        documents=tuple(document_from(d) for d in data["documents"]),
        steps_vi=tuple(data["steps_vi"]),
        steps_en=tuple(data["steps_en"]),
        fee_vi=data["fee_vi"],
        fee_en=data["fee_en"],
        processing_time_vi=data["processing_time_vi"],
        processing_time_en=data["processing_time_en"],
        label_vi=data.get("label_vi"),
        label_en=data.get("label_en"),
    )


def source_dict(s: Source) -> dict[str, str]:
    return {"about": s.about, "text": s.text, "article": s.article}


def _document_dict(d: Document) -> dict[str, Any]:
    out: dict[str, Any] = {
        "name_vi": d.name_vi,
        "name_en": d.name_en,
        "kind": d.kind,
        "count": d.count,
    }
    if d.note_vi is not None:
        out["note_vi"], out["note_en"] = d.note_vi, d.note_en
    return out


def case_dict(c: Case) -> dict[str, Any]:
    """A case in the catalog's YAML shape (also the JSON stored in the database)."""
    return {
        "id": c.id,
        "title_vi": c.title_vi,
        "title_en": c.title_en,
        "documents": [_document_dict(d) for d in c.documents],
        "steps_vi": list(c.steps_vi),
        "steps_en": list(c.steps_en),
        "fee_vi": c.fee_vi,
        "fee_en": c.fee_en,
        "processing_time_vi": c.processing_time_vi,
        "processing_time_en": c.processing_time_en,
    } | ({"label_vi": c.label_vi, "label_en": c.label_en} if c.label_vi else {})


def guide_dict(g: Guide) -> dict[str, Any]:
    """The guide in the catalog's YAML key order (export writes exactly this)."""
    return {
        "code": g.code,
        "title_vi": g.title_vi,
        "title_en": g.title_en,
        "field": g.field,
        "summary_vi": g.summary_vi,
        "summary_en": g.summary_en,
        "keywords": list(g.keywords),
        "cases": [case_dict(c) for c in g.cases],
        "where_vi": g.where_vi,
        "where_en": g.where_en,
        "online": g.online,
        "portal_url": g.portal_url,
        "legal_basis": list(g.legal_basis),
        "sources": [source_dict(s) for s in g.sources],
        "verified_on": g.verified_on.isoformat() if g.verified_on else None,
        "verified_by": g.verified_by,
        "status": g.status,
        "replaced_by": g.replaced_by,
        "check_at_counter_vi": g.check_at_counter_vi,
        "check_at_counter_en": g.check_at_counter_en,
    }
