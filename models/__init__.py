"""SQLAlchemy models. Importing this package registers every table on Base.metadata."""

from models.acks import Acknowledgement
from models.audit import AuditEntry
from models.base import Base, rowcount, utcnow
from models.dash import DashLoginToken
from models.directory import (
    BindCode,
    ChatStatus,
    Household,
    Resident,
    ResidentialGroup,
    Role,
    RoleGrant,
    Ward,
)
from models.engagement import (
    Checkin,
    CheckinAnswer,
    Consultation,
    ConsultTally,
    ConsultVote,
)
from models.engagement_reports import StreetReport, StreetReportEvent
from models.fsm import FsmRecord
from models.notices import (
    Attendance,
    Delivery,
    DeliveryOp,
    DeliveryStatus,
    Notice,
    NoticeStatus,
    NoticeTemplate,
    TargetKind,
    Urgency,
)
from models.privacy import AbuseMark
from models.procedures import Lookup, Procedure, ProcedureScan, SearchGap
from models.stats import ChatMemberSample, StatsMessage, WardTarget
from models.tickets import (
    AskBlock,
    Direction,
    FaqEntry,
    LinkSide,
    StaffChat,
    Ticket,
    TicketCategory,
    TicketEvent,
    TicketLink,
    TicketMessage,
    TicketRating,
    TicketStatus,
)

__all__ = [
    "AbuseMark",
    "Acknowledgement",
    "AskBlock",
    "Attendance",
    "AuditEntry",
    "Base",
    "BindCode",
    "ChatMemberSample",
    "ChatStatus",
    "Checkin",
    "CheckinAnswer",
    "ConsultTally",
    "ConsultVote",
    "Consultation",
    "DashLoginToken",
    "Delivery",
    "DeliveryOp",
    "DeliveryStatus",
    "Direction",
    "FaqEntry",
    "FsmRecord",
    "Household",
    "LinkSide",
    "Lookup",
    "Notice",
    "NoticeStatus",
    "NoticeTemplate",
    "Procedure",
    "ProcedureScan",
    "Resident",
    "ResidentialGroup",
    "Role",
    "RoleGrant",
    "SearchGap",
    "StaffChat",
    "StatsMessage",
    "StreetReport",
    "StreetReportEvent",
    "TargetKind",
    "Ticket",
    "TicketCategory",
    "TicketEvent",
    "TicketLink",
    "TicketMessage",
    "TicketRating",
    "TicketStatus",
    "Urgency",
    "Ward",
    "WardTarget",
    "rowcount",
    "utcnow",
]
