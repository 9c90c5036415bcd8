"""Twilio's words, mapped to ours: delivery statuses and error codes."""

from __future__ import annotations

# Twilio's status words mapped to ours; unknown words change nothing.
STATUS_MAP = {
    "queued": "sent",
    "accepted": "sent",
    "sending": "sent",
    "sent": "sent",
    "delivered": "delivered",
    "read": "delivered",
    "undelivered": "undelivered",
    "failed": "failed",
    "canceled": "failed",
}

# Error codes after which a retry cannot succeed.
PERMANENT_ERRORS = {
    21211,  # invalid 'To' number
    21408,  # permission to send to this region not enabled
    21610,  # recipient replied STOP to Twilio
    21612,  # cannot route to this number
    21614,  # not a mobile number
}
# The recipient told Twilio to stop: the platform records the opt-out too.
OPTED_OUT_ERRORS = {21610}
