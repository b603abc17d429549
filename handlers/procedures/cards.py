"""How a procedure guide looks in Telegram: the card, its keyboard, lists, and sending them.

Shared by the guides router (browse, search, inline) and the deep-link router (QR codes).
"""

from __future__ import annotations

import enum

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.i18n import UNIT_LABELS
from bot.services.directory.units import local_units
from bot.services.procedures.core import bot_link, web_link
from bot.services.procedures.guides import Guide, pick
from bot.services.procedures.labels import field_label, kind_label, source_lines, verification_line
from handlers.callback_fields import Page, Token
from handlers.common import esc
from handlers.triage.ask_link import AskAboutCb
from models import utcnow

LIMIT = 4096  # Telegram's limit for one message
PAGE = 8  # guides per page when browsing a field


class GuideAction(enum.StrEnum):
    FIELDS = "f"  # the list of fields
    FIELD = "l"  # the guides of one field
    OPEN = "o"  # a guide card
    CASE = "c"  # the same card, another case


class GuideCb(CallbackData, prefix="g"):
    action: GuideAction
    code: Token = ""  # national code, ASCII (1.001193)
    field: Token = ""
    page: Page = 0
    case: Page = 0


def lang() -> str:
    return I18n.get_current(no_error=False).current_locale


def split_message(text: str, limit: int = LIMIT) -> list[str]:
    """Split between sections (blank lines) where possible, else between lines; every line
    of a card is complete HTML on its own, so no tag is ever cut."""
    parts: list[str] = []
    current = ""
    for block in text.split("\n\n"):
        joined = len(current) + 2 + len(block) if current else len(block)
        if joined <= limit:
            current = f"{current}\n\n{block}" if current else block
            continue
        if len(block) <= limit:  # the section fits a message of its own
            parts.append(current)
            current = block
            continue
        sep = "\n\n"  # a section too long for any message: fill line by line
        for line in block.split("\n"):
            if current and len(current) + len(sep) + len(line) <= limit:
                current = f"{current}{sep}{line}"
            else:
                if current:
                    parts.append(current)
                current = line[:limit]
            sep = "\n"
    if current:
        parts.append(current)
    return parts


def card_text(guide: Guide, case_index: int = 0) -> str:
    """The guide in the reader's language: what to bring, steps, fee, time, where."""
    lg = lang()
    case = guide.case(case_index)
    head = [f"📋 <b>{esc(pick(guide, 'title', lg))}</b>"]
    head.append(
        "<i>"
        + _("guide.code_line").format(code=guide.code, field=field_label(_, guide.field))
        + "</i>"
    )
    head.append(esc(pick(guide, "summary", lg)))
    if guide.replaced_by:
        head.append(_("guide.replaced").format(code=esc(guide.replaced_by)))
    if len(guide.cases) > 1:
        head.append(_("guide.case_label").format(case=esc(pick(case, "title", lg))))
    docs = [_("guide.documents")]
    for d in case.documents:
        count = f", {_('guide.count').format(count=d.count)}" if d.count > 1 else ""
        docs.append(f"☐ {esc(pick(d, 'name', lg))} — <i>{kind_label(_, d.kind)}{count}</i>")
        if d.note_vi:
            docs.append(f"    <i>{esc(pick(d, 'note', lg))}</i>")
    steps = [_("guide.steps")]
    steps += [f"{n}. {esc(s)}" for n, s in enumerate(pick(case, "steps", lg), 1)]
    facts = [
        _("guide.fee").format(fee=esc(pick(case, "fee", lg))),
        _("guide.time").format(time=esc(pick(case, "processing_time", lg))),
        _("guide.where").format(where=esc(pick(guide, "where", lg))),
    ]
    if guide.online:
        facts.append(_("guide.online_yes"))
    sections = ["\n".join(head), "\n".join(docs), "\n".join(steps), "\n".join(facts)]
    if guide.check_at_counter_vi:
        sections.append(
            _("guide.check_at_counter").format(note=esc(pick(guide, "check_at_counter", lg)))
        )
    sections.append("\n".join([_("guide.sources"), *map(esc, source_lines(_, guide))]))
    sections.append(f"<b>{esc(verification_line(_, guide, utcnow().date()))}</b>")
    return local_units("\n\n".join(sections), UNIT_LABELS.get(), lg)  # "UBND xã" in a commune


def card_keyboard(guide: Guide, case_index: int, public_url: str) -> InlineKeyboardMarkup:
    kb = InlineKeyboardBuilder()
    rows: list[int] = []
    if len(guide.cases) > 1:
        for i, c in enumerate(guide.cases):
            mark = "✅ " if i == case_index else ""
            kb.button(
                text=mark + c.label(lang()),  # short; the card shows the full wording
                callback_data=GuideCb(action=GuideAction.CASE, code=guide.code, case=i),
            )
            rows.append(1)
    kb.button(text=_("guide.btn_portal"), url=guide.portal_url)
    kb.button(text=_("guide.btn_web"), url=web_link(public_url, guide.code))
    kb.button(text=_("guide.btn_ask"), callback_data=AskAboutCb(code=guide.code))
    kb.button(
        text=_("guide.back_list"),
        callback_data=GuideCb(action=GuideAction.FIELD, field=guide.field),
    )
    kb.adjust(*rows, 2, 1, 1)
    return kb.as_markup()


def shared_keyboard(guide: Guide, public_url: str, username: str) -> InlineKeyboardMarkup:
    """For a card shared into any chat (inline mode): links only, nothing to press back."""
    open_bot = InlineKeyboardButton(
        text=_("guide.btn_open_bot"), url=bot_link(username, guide.code)
    )
    web = InlineKeyboardButton(text=_("guide.btn_web"), url=web_link(public_url, guide.code))
    return InlineKeyboardMarkup(inline_keyboard=[[open_bot], [web]])


Rendered = tuple[Guide, list[str], InlineKeyboardMarkup]
_RENDERED: dict[tuple[int, int, str, str, object], Rendered] = {}


def _rendered(
    guide: Guide, case_index: int, public_url: str
) -> tuple[list[str], InlineKeyboardMarkup]:
    """The card's parts and keyboard, rendered once per guide, case, language and day (a
    search storm asks for the same few cards; building the keyboard deep-copies every button).
    Keyed by the guide object itself: a changed catalog brings new objects."""
    key = (id(guide), case_index, lang(), public_url, utcnow().date())
    hit = _RENDERED.get(key)
    if hit is not None and hit[0] is guide:
        return hit[1], hit[2]
    parts = split_message(card_text(guide, case_index))
    keyboard = card_keyboard(guide, case_index, public_url)
    if len(_RENDERED) >= 2000:
        _RENDERED.clear()
    _RENDERED[key] = (guide, parts, keyboard)
    return parts, keyboard


async def send_card(
    message: Message, guide: Guide, case_index: int, public_url: str, *, edit: bool = False
) -> None:
    """Show the card; a card too long for one message goes in parts, buttons on the last."""
    parts, keyboard = _rendered(guide, case_index, public_url)
    for n, part in enumerate(parts):
        markup = keyboard if n == len(parts) - 1 else None
        if edit and n == 0:
            await message.edit_text(part, reply_markup=markup)
        else:
            await message.answer(part, reply_markup=markup)


def guide_buttons(guides: list[Guide], kb: InlineKeyboardBuilder) -> None:
    for g in guides:
        title = pick(g, "title", lang())
        kb.button(
            text=title if len(title) <= 60 else title[:58] + "…",
            callback_data=GuideCb(action=GuideAction.OPEN, code=g.code),
        )


def fields_keyboard(counts: list[tuple[str, int]]) -> InlineKeyboardMarkup:
    kb = InlineKeyboardBuilder()
    for field, n in counts:
        kb.button(
            text=f"{field_label(_, field)} ({n})",
            callback_data=GuideCb(action=GuideAction.FIELD, field=field),
        )
    kb.adjust(1)
    return kb.as_markup()


def field_page(guides: list[Guide], field: str, page: int) -> InlineKeyboardMarkup:
    pages = max((len(guides) + PAGE - 1) // PAGE, 1)
    page = min(max(page, 0), pages - 1)
    kb = InlineKeyboardBuilder()
    guide_buttons(guides[page * PAGE : (page + 1) * PAGE], kb)
    nav = []
    if page > 0:
        nav.append((_("guide.prev"), page - 1))
    if page + 1 < pages:
        nav.append((_("guide.next"), page + 1))
    for text, target in nav:
        kb.button(
            text=text, callback_data=GuideCb(action=GuideAction.FIELD, field=field, page=target)
        )
    kb.button(text=_("guide.back_fields"), callback_data=GuideCb(action=GuideAction.FIELDS))
    shown = len(guides[page * PAGE : (page + 1) * PAGE])
    kb.adjust(*([1] * shown), *([len(nav)] if nav else []), 1)
    return kb.as_markup()
