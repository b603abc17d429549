"""/targets: a ward's targets; its administrators change them with `/targets key=value ...`."""

from __future__ import annotations

from aiogram.filters import Command
from aiogram.types import Message
from aiogram.utils.i18n import gettext as _
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.common.errors import Invalid
from bot.services.directory.roles import Principal, administered_wards
from bot.services.stats.targets import SPECS, Targets, get_targets, set_targets, shown
from handlers.common import command_args, esc, refuse
from handlers.stats import OFFICIALS, router
from models import Ward


def _label(key: str) -> str:
    return {
        "reach": _("targets.reach"),
        "max_silent_days": _("targets.max_silent_days"),
        "ack_rate": _("targets.ack_rate"),
        "first_response": _("targets.first_response"),
    }[key]


def render_targets(ward: Ward, targets: Targets) -> str:
    lines = [_("targets.title").format(ward=esc(ward.name))]
    lines += [
        _("targets.line").format(label=_label(key), name=key, value=shown(key, value))
        for key, value in targets.as_dict().items()
    ]
    return "\n".join(lines)


@router.message(Command("targets"))
async def cmd_targets(
    message: Message, session: AsyncSession, principal: Principal | None
) -> None:
    """Officials read the targets; administrators set them (`/targets reach=85 ack_rate=75`)."""
    assignments = command_args(message).split()
    if principal is None or not (principal.is_admin or principal.has(*OFFICIALS)):
        await refuse(message, "targets")
        return
    if assignments:
        if not principal.is_admin:
            await refuse(message, "targets.set")
            return
        wards = await administered_wards(session, principal)
        if len(wards) != 1:  # administrators of several wards name it in the CLI
            raise Invalid("targets.one_ward")
        targets = await set_targets(session, wards[0].id, assignments, by=principal)
        await message.answer(_("targets.saved") + "\n" + render_targets(wards[0], targets))
        return
    wards = list(await session.scalars(select(Ward).order_by(Ward.name)))
    seen = [w for w in wards if principal.has(*OFFICIALS, ward_id=w.id)]
    texts = [render_targets(w, await get_targets(session, w.id)) for w in seen]
    texts.append(_("targets.how").format(keys=", ".join(SPECS)))
    await message.answer("\n\n".join(texts))
