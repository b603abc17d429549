"""Notices: drafts, approval, templates, presses, attendance, reminders, management,
verification, the residents' feed and the public board."""
