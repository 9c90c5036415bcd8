"""SMS Gateway for Android's words, mapped to ours."""

from __future__ import annotations

# Webhook events that report on a message the platform sent, and what they mean.
STATUS_EVENTS = {
    "sms:sent": "sent",
    "sms:delivered": "delivered",
    "sms:failed": "failed",
}
RECEIVED = "sms:received"
PING = "system:ping"
# Events accepted (signed, recorded against replays) but with nothing to do here.
# An MMS fully downloaded by the phone, its attachments in base64 (webhooks.py's
# MmsDownloadedPayload); "mms:received" only announces one, so it is ignored.
MMS_DOWNLOADED = "mms:downloaded"
IGNORED_EVENTS = {"sms:data-received", "sms:cancelled", "app:started", "mms:received"}

# API answers after which a retry cannot succeed: the request itself is wrong (an
# unusable number). Authentication and server errors are transient for routing: the
# next provider takes the message, and the phone is counted as failing.
PERMANENT_STATUSES = {400, 422}
