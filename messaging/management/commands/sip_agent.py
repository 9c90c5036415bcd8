"""``manage.py sip_agent``: the SIP user agent, a long-running process of its own.

It answers calls on the number(s) of the trunk or GSM gateway it registers to, until
SIGTERM or SIGINT; calls still up then are ended and the menu is told (HANGUP).
"""

from __future__ import annotations

import signal

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from messaging.providers.sip.agent import SipAgent
from messaging.providers.sip.config import SipConfig


class Command(BaseCommand):
    help = "Run the SIP user agent (voice menu calls through a local trunk or GSM gateway)."

    def handle(self, *args, **options) -> None:
        if "sip" not in settings.VOICE_PROVIDERS:
            raise CommandError("'sip' is not in VOICE_PROVIDERS: the SIP user agent is not configured here.")
        agent = SipAgent(SipConfig.from_settings())
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_: agent.stop())
        agent.run(on_ready=lambda: self.stdout.write("sip agent ready", ending="\n") or self.stdout.flush())
