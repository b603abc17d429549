"""Telegram side of notices: composing, approval, sending, presses, management, reading."""
