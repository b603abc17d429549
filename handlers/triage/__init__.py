"""Telegram side of questions: asking, the staff group, FAQ, relays and jobs."""
