"""Alerts, acknowledgement, escalation and response times (issue 4)."""
