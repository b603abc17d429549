"""What the server-rendered public pages share: the Jinja2 environment and the language."""

from __future__ import annotations

from pathlib import Path

import jinja2
from aiohttp import web

from bot.services.procedures.guides import LANGS

TEMPLATES = Path(__file__).parent / "templates"


def page_env(*folders: Path) -> jinja2.Environment:
    """Templates from `folders`, then the shared ones; autoescaping everything."""
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader([*folders, TEMPLATES]),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def page_lang(request: web.Request, default: str) -> str:
    """`?lang=en` or `?lang=vi`, else the site's language."""
    wanted = request.query.get("lang", "")
    return wanted if wanted in LANGS else default
