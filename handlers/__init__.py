"""aiogram routers, one per feature, included in one place and in this order."""

from aiogram import Router

from handlers import admin, errors, fallback, groups, help, privacy, start


def build_root_router() -> Router:
    """Feature routers first; fallback last so it only sees what nobody handled."""
    root = Router(name="root")
    root.include_routers(
        *(m.router.build() for m in (errors, start, privacy, groups, admin, help, fallback))
    )
    return root
