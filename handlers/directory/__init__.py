"""Telegram side of the directory: joining, group chats, roles, a resident's own data."""
