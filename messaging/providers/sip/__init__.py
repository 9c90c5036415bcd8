"""The platform's own SIP user agent: voice calls on Malian numbers.

A Twilio number is not a Malian number. This agent (PJSIP through ``pjsua2``) registers to
a local SIP trunk or to a GSM gateway box holding local SIMs, answers the calls, plays the
menu's prompts and reads the keys (RFC 2833 telephone-events and SIP INFO
``application/dtmf-relay``), speaking to the menu only through ``messaging.voice``.

Run it with ``manage.py sip_agent`` (its own long-running process). The caller's audio is
never recorded, streamed or transcribed: the call's audio port is connected to nothing, so
the conference bridge drops every inbound frame; only telephone-events are read.
"""
