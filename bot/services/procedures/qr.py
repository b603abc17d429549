"""Deep links and QR codes (PNG or SVG) that a phone camera opens in Telegram."""

from __future__ import annotations

import io
from pathlib import Path

import aiohttp
import qrcode
import qrcode.image.svg

from bot.config import Settings
from bot.services.common.errors import NotConfigured


def join_link(username: str, group_id: int) -> str:
    return f"https://t.me/{username}?start=join-{group_id}"


async def bot_username(settings: Settings) -> str:
    """LOA_BOT_USERNAME, else ask the Bot API (getMe) with the token."""
    if settings.bot_username:
        return settings.bot_username.lstrip("@")
    if settings.bot_token is None:
        raise NotConfigured("qr.username_unknown")
    url = f"{settings.telegram_api_url}/bot{settings.bot_token.get_secret_value()}/getMe"
    try:
        async with (
            aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=15)) as http,
            http.get(url) as resp,
        ):
            data = await resp.json(content_type=None)
    except (aiohttp.ClientError, TimeoutError, ValueError):
        raise NotConfigured("qr.username_unreachable") from None
    if not isinstance(data, dict) or not data.get("ok"):
        raise NotConfigured("qr.username_unknown")
    return str(data["result"]["username"])


def write_qr(data: str, out: Path) -> None:
    """Write a QR code with error correction M (survives a smudged printout)."""
    suffix = out.suffix.lower()
    if suffix not in (".png", ".svg"):
        raise ValueError(f"{out}: the file name must end in .png or .svg")
    qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=10, border=4)
    qr.add_data(data)
    qr.make(fit=True)
    out.parent.mkdir(parents=True, exist_ok=True)
    # Our own handle, closed here: given a path, qrcode's PNG writer opens a file it never closes.
    with out.open("wb") as stream:
        if suffix == ".svg":
            qr.make_image(image_factory=qrcode.image.svg.SvgPathImage).save(stream)
        else:
            qr.make_image().save(stream)


def qr_png(data: str, box_size: int = 8) -> bytes:
    """A QR code as PNG bytes (error correction M), for a page or a report."""
    qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=box_size)
    qr.add_data(data)
    qr.make(fit=True)
    buf = io.BytesIO()
    qr.make_image().save(buf)
    return buf.getvalue()
