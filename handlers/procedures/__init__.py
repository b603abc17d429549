"""Telegram side of procedure guides: browsing, search, inline mode, QR deep links."""
