"""Telegram side of consultations: /consult and its follow-up commands, the vote buttons."""
