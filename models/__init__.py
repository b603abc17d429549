"""SQLAlchemy models. Importing this package registers every table on Base.metadata."""

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
from models.fsm import FsmRecord
from models.notices import (
    Delivery,
    DeliveryOp,
    DeliveryStatus,
    Notice,
    NoticeStatus,
    TargetKind,
    Urgency,
)

__all__ = [
    "AuditEntry",
    "Base",
    "BindCode",
    "ChatStatus",
    "Delivery",
    "DeliveryOp",
    "DeliveryStatus",
    "FsmRecord",
    "Household",
    "Notice",
    "NoticeStatus",
    "Resident",
    "ResidentialGroup",
    "Role",
    "RoleGrant",
    "TargetKind",
    "Urgency",
    "Ward",
    "utcnow",
]
