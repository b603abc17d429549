"""aiogram routers, one per feature, included in one place and in this order."""

from aiogram import Router

from handlers import (
    admin,
    errors,
    fallback,
    group_ask,
    groups,
    help,
    privacy,
    questions,
    staff,
    staff_admin,
    start,
)


def build_root_router() -> Router:
    """Feature routers first; fallback last so it only sees what nobody handled."""
    root = Router(name="root")
    # Questions come before any catch-all text handler: a reply to a ticket message and a
    # question being written must reach them first.
    modules = (errors, start, privacy, groups, admin, staff_admin, staff, group_ask, questions)
    root.include_routers(*(m.router.build() for m in (*modules, help, fallback)))
    return root
