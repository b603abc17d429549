"""Writing to the audit log: `record` lives beside its table in models/audit.py so that
broadcasts/ (a lower layer) can write it too; re-exported here for the services."""

from models.audit import record

__all__ = ["record"]
