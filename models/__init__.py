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

__all__ = [
    "AuditEntry",
    "Base",
    "BindCode",
    "ChatStatus",
    "FsmRecord",
    "Household",
    "Resident",
    "ResidentialGroup",
    "Role",
    "RoleGrant",
    "Ward",
    "utcnow",
]
