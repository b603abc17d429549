"""Notices: drafts, approval, templates, acknowledgements, reminders, management, feeds."""
