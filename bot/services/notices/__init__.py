"""Notices: drafts, approval, templates, presses, attendance, reminders, management,
verification and the residents' feed."""
