"""Pieces every capability's services share: typed errors and the audit log."""
