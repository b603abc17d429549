"""aiogram routers, one per feature, included in one place and in this order."""

from aiogram import Router

from handlers import (
    acks,
    admin,
    announce,
    announce_review,
    announce_send,
    errors,
    fallback,
    group_ask,
    groups,
    help,
    notice_manage,
    notice_view,
    privacy,
    procedure_links,
    procedures,
    questions,
    staff,
    staff_admin,
    staff_faq,
    start,
    stats,
    templates,
)


def build_root_router() -> Router:
    """Feature routers first; fallback last so it only sees what nobody handled.

    procedure_links and notice_view come before start (their /start p-<code> and n-<id> deep
    links are more specific);
    procedures comes last before fallback (it treats leftover private text as a search).
    """
    root = Router(name="root")
    # Questions come before any catch-all text handler: a reply to a ticket message and a
    # question being written must reach them first; guides' free-text search comes last.
    order = (
        errors,
        procedure_links,
        notice_view,
        start,
        privacy,
        groups,
        admin,
        notice_manage,
        acks,
        announce_review,
        announce,
        announce_send,
        templates,
        staff_admin,
        staff_faq,
        stats,
        staff,
        group_ask,
        questions,
        help,
        procedures,
        fallback,
    )
    root.include_routers(*(m.router.build() for m in order))
    return root
