"""The typed errors every service raises; they live in models/errors.py so that broadcasts/ (a
lower layer) can raise them too. Re-exported here: services and handlers import them from here."""

from models.errors import Forbidden, Invalid, NotConfigured, NotFound, ServiceError

__all__ = ["Forbidden", "Invalid", "NotConfigured", "NotFound", "ServiceError"]
