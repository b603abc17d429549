"""SQLAlchemy models. Importing this package registers every table on Base.metadata."""

from models.acks import Acknowledgement
from models.audit import AuditEntry
from models.base import Base, utcnow
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
from models.engagement import Consultation, ConsultTally, ConsultVote
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
from models.procedures import Procedure, ProcedureScan, SearchGap
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
    "ChatStatus",
    "ConsultTally",
    "ConsultVote",
    "Consultation",
    "Delivery",
    "DeliveryOp",
    "DeliveryStatus",
    "Direction",
    "FaqEntry",
    "FsmRecord",
    "Household",
    "LinkSide",
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
    "utcnow",
]
