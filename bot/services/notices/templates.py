"""Notice templates: the shipped ones (data/templates.yaml) and those officials add."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path

import yaml
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.common import audit
from bot.services.common.errors import Invalid, NotFound
from bot.services.notices.drafts import NoticeKind
from bot.unit_words import UnitLabels, labels_of, local_units
from models import NoticeTemplate, Ward

SHIPPED = Path(__file__).resolve().parents[3] / "data" / "templates.yaml"
KINDS = tuple(k.value for k in NoticeKind)
MAX_NAME = 64
MAX_TEXT = 4000
_BLANK = re.compile(r"\{([^{}]+)\}")


@dataclass(frozen=True)
class Template:
    ref: str  # "s-<key>" for shipped, "d-<id>" for added ones (fits callback data)
    name: str
    kind: str
    text: str
    place: str | None = None
    eligible: str | None = None
    bring: str | None = None

    @property
    def blanks(self) -> list[str]:
        """The blanks to fill, in order of first appearance."""
        return list(dict.fromkeys(_BLANK.findall(self.text)))


def fill(text: str, answers: dict[str, str]) -> str:
    return _BLANK.sub(lambda m: answers.get(m.group(1), m.group(0)), text)


@cache
def shipped() -> tuple[Template, ...]:
    entries = yaml.safe_load(SHIPPED.read_text(encoding="utf-8"))
    out = []
    for e in entries:
        if e["kind"] not in KINDS:
            raise ValueError(f"{SHIPPED}: template {e['key']}: unknown kind {e['kind']!r}")
        out.append(
            Template(
                f"s-{e['key']}",
                e["name"],
                e["kind"],
                e["text"],
                e.get("place"),
                e.get("eligible"),
                e.get("bring"),
            )
        )
    return tuple(out)


async def list_templates(session: AsyncSession, ward_id: int) -> list[Template]:
    """The shipped templates in the ward's own words ("Họp thôn" in a commune), then its own."""
    labels = labels_of(await session.get(Ward, ward_id))
    added = await session.scalars(
        select(NoticeTemplate).where(NoticeTemplate.ward_id == ward_id).order_by(NoticeTemplate.id)
    )
    return [
        *(_in_units(t, labels) for t in shipped()),
        *(Template(f"d-{t.id}", t.name, t.kind, t.text) for t in added),
    ]


def _in_units(t: Template, labels: UnitLabels) -> Template:
    def local(text: str | None) -> str | None:
        return None if text is None else local_units(text, labels, "vi")

    return replace(
        t,
        name=local_units(t.name, labels, "vi"),
        text=local_units(t.text, labels, "vi"),
        place=local(t.place),
        eligible=local(t.eligible),
        bring=local(t.bring),
    )


async def get(session: AsyncSession, ward_id: int, ref: str) -> Template:
    for t in await list_templates(session, ward_id):
        if t.ref == ref:
            return t
    raise NotFound("template.not_found")


def _check_text(text: str) -> None:
    if text.count("{") != text.count("}") or "{}" in text:
        raise Invalid("template.bad_blanks")


async def add(
    session: AsyncSession, ward_id: int, name: str, text: str, author: int, kind: str = "notice"
) -> Template:
    """An official's own template; commits."""
    name, text = name.strip(), text.strip()
    if not name or not text:
        raise Invalid("template.add_usage")
    if len(name) > MAX_NAME:
        raise Invalid("template.name_too_long", limit=MAX_NAME)
    if len(text) > MAX_TEXT:
        raise Invalid("announce.too_long", length=len(text), limit=MAX_TEXT)
    _check_text(text)
    if any(t.name.casefold() == name.casefold() for t in await list_templates(session, ward_id)):
        raise Invalid("template.exists", name=name)
    row = NoticeTemplate(ward_id=ward_id, name=name, kind=kind, text=text, created_by=author)
    session.add(row)
    try:
        await session.flush()
    except IntegrityError:
        await session.rollback()
        raise Invalid("template.exists", name=name) from None
    audit.record(
        session, "template.added", actor_id=author, target=f"template:{row.id}", name=name
    )
    await session.commit()
    return Template(f"d-{row.id}", name, kind, text)
