"""aiogram routers, one per feature, included in one place and in this order."""

from aiogram import Router

from handlers import errors, fallback, help, stats
from handlers.directory import admin, groups, privacy, start
from handlers.engagement import checkin_buttons, consult, reports
from handlers.engagement import checkins as checkin
from handlers.engagement import votes as consult_votes
from handlers.notices import acks, announce, templates
from handlers.notices import manage as notice_manage
from handlers.notices import review as announce_review
from handlers.notices import send as announce_send
from handlers.notices import view as notice_view
from handlers.procedures import guides as procedures
from handlers.procedures import links as procedure_links
from handlers.triage import faq as staff_faq
from handlers.triage import group_ask, questions, staff, staff_admin


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
        consult_votes,
        consult,
        checkin_buttons,
        checkin,
        announce_review,
        announce,
        announce_send,
        templates,
        staff_admin,
        staff_faq,
        stats,
        reports,
        staff,
        group_ask,
        questions,
        help,
        procedures,
        fallback,
    )
    root.include_routers(*(m.router.build() for m in order))
    return root
