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
from models.procedures import Procedure, ProcedureScan, SearchGap

__all__ = [
    "AuditEntry",
    "Base",
    "BindCode",
    "ChatStatus",
    "FsmRecord",
    "Household",
    "Procedure",
    "ProcedureScan",
    "Resident",
    "ResidentialGroup",
    "Role",
    "RoleGrant",
    "SearchGap",
    "Ward",
    "utcnow",
]
