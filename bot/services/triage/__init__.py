"""Questions: tickets, routing, SLA, FAQ and statistics."""
