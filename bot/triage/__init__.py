"""The Telegram side of questions and triage that is not a handler: views, relay, jobs."""
