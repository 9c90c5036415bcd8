"""The SIP user agent: PJSIP (``pjsua2``) answering calls and walking them through the menu.

One thread owns PJSIP: it polls the SIP and RTP sockets (``libHandleEvents``; no PJSIP
worker thread, so every callback runs here), plays prompts and keeps the timers. The menu
(``messaging.voice.voice_handler()``, which may touch the database) runs in a small pool
of worker threads so that a slow answer on one call never delays the keys of another;
its turns come back to the PJSIP thread through a queue.

What the agent keeps of a call while it lasts: a random id, the turn playing and the keys
typed for it. The caller's number is read once, handed to the menu with START (which makes
the pseudonym) and dropped; it is never logged. No audio from the caller is recorded,
streamed or transcribed: the call's audio port is connected to nothing (a player transmits
to it; nothing listens to it), there is no sound device, and only RFC 2833
telephone-events and SIP INFO dtmf-relay bodies are read.
"""

from __future__ import annotations

import gc
import logging
import queue
import re
import threading
import time
import wave
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import pjsua2 as pj
from django.db import close_old_connections

from messaging.providers.sip.calls import CallSession, Phase
from messaging.providers.sip.config import SipConfig
from messaging.voice import CallEvent, VoiceEvent, VoiceHandler, VoiceTurn, prompt_path, voice_handler
from veille.phones import normalize_msisdn

logger = logging.getLogger("veille.sip")

# A call whose media never starts (no ACK, no SDP the agent can answer) is ended after this.
MEDIA_WAIT_SECONDS = 10.0
# Slack after the last prompt's end, for the jitter of the conference bridge's clock.
PLAYBACK_SLACK_SECONDS = 0.3
POLL_MILLISECONDS = 20
# "Every interface": PJSIP binds there when no address is given.
ANY_ADDRESS = ("", "0.0.0.0")  # noqa: S104
# PJSUA's compile-time ceiling on simultaneous calls.
PJSUA_MAX_CALLS = 32

_SIP_USER = re.compile(r"<?(?:sips?|tel):([^@;>]+)")
# What PJSIP's own log lines could carry of a caller: URIs, addresses, long digit runs.
_PJ_REDACTIONS = [
    (re.compile(r"(?:sips?|tel):[^\s>;,]+"), "sip:[masque]"),
    (re.compile(r"\[?[0-9a-fA-F:]*:[0-9a-fA-F:]+\]?(?::\d+)?|\b\d{1,3}(?:\.\d{1,3}){3}(?::\d+)?\b"), "[adresse]"),
    (re.compile(r"\+?\d{7,}"), "[numero masque]"),
]


def caller_number(remote_uri: str) -> str:
    """The caller's number in E.164 from the From URI PJSIP reports, or "" when it is
    withheld or not a phone number (an "anonymous" caller)."""
    match = _SIP_USER.search(remote_uri or "")
    return (normalize_msisdn(match.group(1)) or "") if match else ""


def redact_pj(message: str) -> str:
    for pattern, mask in _PJ_REDACTIONS:
        message = pattern.sub(mask, message)
    return message.strip()


def prompt_seconds(path) -> float | None:
    """How long a prompt plays, or None when the file is not mono 16-bit PCM WAV."""
    try:
        with wave.open(str(path), "rb") as wav:
            if wav.getnchannels() != 1 or wav.getsampwidth() != 2:
                return None
            return wav.getnframes() / wav.getframerate()
    except (OSError, EOFError, wave.Error, ZeroDivisionError):
        return None


def check_turn(turn: object) -> VoiceTurn:
    """A turn the agent can play; anything else is the menu's fault (failure turn)."""
    if not isinstance(turn, VoiceTurn):
        raise TypeError(f"the voice handler returned {type(turn).__name__}, not a VoiceTurn")
    if not turn.hangup and (turn.max_digits < 1 or turn.timeout_seconds < 1):
        raise ValueError("a turn must wait for at least one key for at least a second, or hang up")
    return turn


class _PjLog(pj.LogWriter):
    """PJSIP's log lines (warnings and errors only) into Python logging, redacted."""

    def write(self, entry: pj.LogEntry) -> None:
        level = logging.ERROR if entry.level <= 1 else logging.WARNING
        logging.getLogger("veille.sip.pjsip").log(level, "%s", redact_pj(entry.msg))


@dataclass
class _Played:
    player: pj.AudioMediaPlayer | None
    seconds: float


class _Call(pj.Call):
    """One call as PJSIP sees it; its callbacks only queue what happened."""

    def __init__(self, agent: SipAgent, account: pj.Account, pj_call_id: int) -> None:
        super().__init__(account, pj_call_id)
        self.agent = agent
        self.session = CallSession()
        self.audio: pj.AudioMedia | None = None
        self.played: _Played | None = None
        self.answered_at = time.monotonic()
        self.live = False  # answered and kept (a refused call is only waited out)

    def onCallState(self, prm: pj.OnCallStateParam) -> None:
        if self.getInfo().state == pj.PJSIP_INV_STATE_DISCONNECTED:
            self.agent._queue(self, "disconnected")

    def onCallMediaState(self, prm: pj.OnCallMediaStateParam) -> None:
        self.agent._queue(self, "media")

    def onDtmfDigit(self, prm: pj.OnDtmfDigitParam) -> None:
        # RFC 2833 telephone-events and SIP INFO application/dtmf-relay both land here.
        self.agent._queue(self, "key", prm.digit)


class _Account(pj.Account):
    def __init__(self, agent: SipAgent) -> None:
        super().__init__()
        self.agent = agent

    def onIncomingCall(self, prm: pj.OnIncomingCallParam) -> None:
        self.agent._incoming(self, prm)

    def onRegState(self, prm: pj.OnRegStateParam) -> None:
        # Our own account at the trunk: no caller in it.
        logger.info("sip: registration answered %s %s", prm.code, prm.reason)


class SipAgent:
    def __init__(self, config: SipConfig, handler: Callable[[], VoiceHandler] = voice_handler) -> None:
        self.config = config
        self._handler = handler
        self._stop = threading.Event()
        self._happened: queue.SimpleQueue = queue.SimpleQueue()  # PJSIP callbacks, in order
        self._answers: queue.SimpleQueue = queue.SimpleQueue()  # turns from the menu's workers
        self._calls: dict[int, _Call] = {}
        self._pool = ThreadPoolExecutor(max_workers=min(config.max_calls, 8), thread_name_prefix="sip-menu")
        self._endpoint: pj.Endpoint | None = None
        self._account: _Account | None = None

    # --- Running -----------------------------------------------------------------------

    def stop(self) -> None:
        """Ask the loop to end (from a signal handler or another thread)."""
        self._stop.set()

    def run(self, on_ready: Callable[[], None] | None = None) -> None:
        self._start()
        if on_ready:
            on_ready()
        try:
            while not self._stop.is_set():
                self._endpoint.libHandleEvents(POLL_MILLISECONDS)
                self._drain()
                self._tick(time.monotonic())
        finally:
            self._shutdown()

    def _start(self) -> None:
        config = self.config
        endpoint = pj.Endpoint()
        endpoint.libCreate()
        ep_config = pj.EpConfig()
        ep_config.uaConfig.maxCalls = min(config.max_calls, PJSUA_MAX_CALLS)
        ep_config.uaConfig.threadCnt = 0  # every callback in the loop's thread
        ep_config.uaConfig.mainThreadOnly = False
        ep_config.uaConfig.userAgent = "Veille"
        ep_config.medConfig.threadCnt = 0
        ep_config.medConfig.hasIoqueue = False  # RTP polled with SIP, in the same thread
        ep_config.medConfig.clockRate = 8000
        ep_config.medConfig.sndClockRate = 8000
        ep_config.medConfig.noVad = True
        ep_config.medConfig.ecTailLen = 0
        self._log_writer = _PjLog()  # PJSIP holds a pointer: keep it alive
        ep_config.logConfig.writer = self._log_writer
        ep_config.logConfig.level = 2
        ep_config.logConfig.consoleLevel = 2
        ep_config.logConfig.msgLogging = 0  # never the SIP messages (From: carries the number)
        ep_config.logConfig.decor = 0
        endpoint.libInit(ep_config)

        transport = pj.TransportConfig()
        transport.port = config.port
        if config.bind_address not in ANY_ADDRESS:
            transport.boundAddress = config.bind_address
        endpoint.transportCreate(pj.PJSIP_TRANSPORT_UDP, transport)
        endpoint.libStart()
        endpoint.audDevManager().setNullDev()  # no microphone, no speaker: nothing to hear the caller
        # G.711 only (what GSM gateways and trunks speak); A-law first, as in Mali's network.
        for codec in endpoint.codecEnum2():
            priority = {"PCMA/8000/1": 255, "PCMU/8000/1": 254}.get(codec.codecId, 0)
            endpoint.codecSetPriority(codec.codecId, priority)
        self._endpoint = endpoint

        account_config = pj.AccountConfig()
        if config.registrar:
            host = config.registrar.rsplit(":", 1)[0] if config.registrar.count(":") == 1 else config.registrar
            account_config.idUri = f"sip:{config.user}@{host}"
            account_config.regConfig.registrarUri = f"sip:{config.registrar}"
            account_config.regConfig.retryIntervalSec = 60
            account_config.sipConfig.authCreds.append(pj.AuthCredInfo("digest", "*", config.user, 0, config.password))
        else:
            account_config.idUri = f"sip:veille@{config.bind_address}:{config.port}"
        media = account_config.mediaConfig.transportConfig
        media.port = config.rtp_port_min
        media.portRange = config.rtp_port_max - config.rtp_port_min
        if config.bind_address not in ANY_ADDRESS:
            media.boundAddress = config.bind_address
        self._account = _Account(self)
        self._account.create(account_config)
        logger.info(
            "sip: agent listening on UDP port %s%s",
            config.port,
            ", registering to the trunk" if config.registrar else ", no registration",
        )

    def _shutdown(self) -> None:
        """End the calls still up (telling the menu the line dropped), then PJSIP.

        Every ``pj.Call`` must be gone before ``libDestroy``: one collected later would
        touch a library that no longer exists (PJSUA asserts and aborts)."""
        endpoint = self._endpoint
        self._end_calls()  # (a method of its own: no local variable may outlive the library)
        if endpoint is not None:
            endpoint.hangupAllCalls()
            end = time.monotonic() + 2.0
            while self._calls and time.monotonic() < end:  # the BYEs out, their answers in
                endpoint.libHandleEvents(POLL_MILLISECONDS)
                self._drain()
        self._pool.shutdown(wait=True)
        for waiting in (self._happened, self._answers):
            while not waiting.empty():
                waiting.get_nowait()
        self._calls.clear()
        gc.collect()
        if endpoint is None:
            return
        if self._account is not None:
            self._account.shutdown()
            self._account = None
        endpoint.libDestroy()
        self._endpoint = None

    def _end_calls(self) -> None:
        for call in list(self._calls.values()):
            if call.live and call.session.phase is not Phase.GONE:
                self._hang_up(call)
                self._tell(call, call.session.event(CallEvent.HANGUP))  # the line dropped

    # --- PJSIP callbacks (already in the loop's thread) ---------------------------------

    def _queue(self, call: _Call, what: str, detail: str = "") -> None:
        self._happened.put((call, what, detail))

    def _incoming(self, account: _Account, prm: pj.OnIncomingCallParam) -> None:
        call = _Call(self, account, prm.callId)
        self._calls[prm.callId] = call
        answer = pj.CallOpParam()
        if not self.config.allows(prm.rdata.srcAddress):
            # A SIP scanner, or a gateway missing from SIP_ALLOWED_NETWORKS (its address is not logged).
            logger.warning("sip: refused a call from an address outside SIP_ALLOWED_NETWORKS")
            answer.statusCode = 403
            call.hangup(answer)
            return
        if sum(1 for other in self._calls.values() if other.live) >= self.config.max_calls:
            logger.warning("sip: refused a call, SIP_MAX_CALLS calls are already up")
            answer.statusCode = 486
            call.hangup(answer)
            return
        caller = caller_number(call.getInfo().remoteUri)
        answer.statusCode = 200
        call.answer(answer)
        call.live = True
        call.answered_at = time.monotonic()
        self._tell(call, call.session.event(CallEvent.START, caller=caller))

    # --- The loop --------------------------------------------------------------------------

    def _drain(self) -> None:
        now = time.monotonic()
        while True:
            try:
                call, what, detail = self._happened.get_nowait()
            except queue.Empty:
                break
            if what == "disconnected":
                self._disconnected(call)
            elif what == "media":
                self._media(call, now)
            elif what == "key":
                self._key(call, detail, now)
        while True:
            try:
                call, event, turn = self._answers.get_nowait()
            except queue.Empty:
                break
            self._answered(call, event, turn, now)

    def _tick(self, now: float) -> None:
        for call in list(self._calls.values()):
            session = call.session
            if not call.live or session.phase is Phase.GONE:
                continue
            if now - call.answered_at > self.config.max_call_seconds or (
                not session.media_ready and now - call.answered_at > MEDIA_WAIT_SECONDS
            ):
                logger.warning("sip: a call ran past its limit (or its media never started); ended")
                self._hang_up(call)
                self._tell(call, session.event(CallEvent.HANGUP))
                continue
            if session.deadline is None or now < session.deadline:
                continue
            if session.phase is Phase.PLAYING:
                self._stop_prompts(call)
                session.phase = Phase.GATHERING
                session.deadline = now + session.turn.timeout_seconds
            elif session.phase is Phase.GATHERING:
                self._tell(call, session.timed_out())
            elif session.phase is Phase.ENDING:
                self._hang_up(call)
                # The call is over: the menu forgets it now rather than at its purge.
                self._tell(call, session.event(CallEvent.HANGUP))

    def _media(self, call: _Call, now: float) -> None:
        if call.session.phase is Phase.GONE:
            return
        try:
            info = call.getInfo()
        except pj.Error:
            return
        for media in info.media:
            if media.type == pj.PJMEDIA_TYPE_AUDIO and media.status == pj.PJSUA_CALL_MEDIA_ACTIVE:
                call.audio = call.getAudioMedia(media.index)
                # Belt and braces: the caller's audio enters the bridge at level 0 (silence),
                # on top of reaching no port at all. Keys travel apart (telephone-events).
                call.audio.adjustTxLevel(0.0)
                break
        else:
            return
        first = not call.session.media_ready
        call.session.media_ready = True
        # A turn that came back before the media was up plays now (a re-INVITE replays nothing).
        if first and call.session.turn is not None and not call.session.in_flight:
            self._play(call, call.session.turn, now)

    def _key(self, call: _Call, digit: str, now: float) -> None:
        was_playing = call.session.phase is Phase.PLAYING
        event = call.session.key(digit, now)
        if was_playing and call.session.phase is not Phase.PLAYING:
            self._stop_prompts(call)  # a key interrupts the prompts
        if event is not None:
            self._tell(call, event)

    def _disconnected(self, call: _Call) -> None:
        call.audio = None
        call.played = None
        if call.live and call.session.phase is not Phase.GONE:  # the caller hung up
            call.session.phase = Phase.GONE
            self._tell(call, call.session.event(CallEvent.HANGUP))
        call.session.phase = Phase.GONE
        for pj_call_id, known in list(self._calls.items()):
            if known is call:
                del self._calls[pj_call_id]

    # --- The menu ------------------------------------------------------------------------

    def _tell(self, call: _Call, event: VoiceEvent | None) -> None:
        """Hand an event to the menu, one at a time per call, in order."""
        if event is None:
            return
        session = call.session
        if session.in_flight:
            session.queued.append(event)
            return
        session.in_flight = True
        self._pool.submit(self._ask_menu, call, event)

    def _ask_menu(self, call: _Call, event: VoiceEvent) -> None:
        """In a worker thread: the menu's turn for one event (never raises)."""
        turn: VoiceTurn | None = None
        close_old_connections()
        try:
            handler = self._handler()
            try:
                turn = check_turn(handler.handle(event))
            except Exception:
                logger.exception(
                    "sip: the voice menu failed on a %s event; the call gets the failure turn", event.event
                )
                turn = check_turn(handler.failure_turn())
        except Exception:
            logger.exception("sip: no failure turn either; the call is ended")
            turn = None
        finally:
            close_old_connections()
            self._answers.put((call, event, turn))

    def _answered(self, call: _Call, event: VoiceEvent, turn: VoiceTurn | None, now: float) -> None:
        session = call.session
        session.in_flight = False
        if session.queued:
            self._tell(call, session.queued.pop(0))
            return  # the call moved on (hung up) while the menu thought: this turn is moot
        if session.phase is Phase.GONE or event.event == CallEvent.HANGUP:
            return
        if turn is None:
            self._hang_up(call)
            self._tell(call, session.event(CallEvent.HANGUP))
            return
        session.turn = turn
        if session.media_ready:
            self._play(call, turn, now)

    # --- Playing and hanging up -----------------------------------------------------------

    def _play(self, call: _Call, turn: VoiceTurn, now: float) -> None:
        self._stop_prompts(call)
        files: list[str] = []
        seconds = 0.0
        for prompt in turn.prompts:
            if not prompt.key:
                continue  # words no one could record (a relay's own question): no synthesis here
            language = prompt.language or turn.language
            path = prompt_path(language, prompt.key)
            length = prompt_seconds(path) if path else None
            if length is None:
                # The deployment lacks this recording (or it is not mono 16-bit WAV): say the rest.
                logger.warning("sip: prompt %s/%s missing or unplayable; skipped", language, prompt.key)
                continue
            files.append(str(path))
            seconds += length
        player = None
        if files and call.audio is not None:
            try:
                player = pj.AudioMediaPlayer()
                if len(files) == 1:
                    player.createPlayer(files[0], pj.PJMEDIA_FILE_NO_LOOP)
                else:
                    player.createPlaylist(files, "turn", pj.PJMEDIA_FILE_NO_LOOP)
                player.startTransmit(call.audio)
            except pj.Error as error:
                logger.warning("sip: the prompts could not be played (%s); the turn goes on silent", error.reason)
                player, seconds = None, 0.0
        call.played = _Played(player, seconds)
        session = call.session
        session.turn = turn
        session.digits = ""
        session.phase = Phase.ENDING if turn.hangup else Phase.PLAYING
        session.deadline = now + seconds + PLAYBACK_SLACK_SECONDS

    def _stop_prompts(self, call: _Call) -> None:
        played, call.played = call.played, None
        if played and played.player is not None and call.audio is not None:
            try:
                played.player.stopTransmit(call.audio)
            except pj.Error:
                pass

    def _hang_up(self, call: _Call) -> None:
        self._stop_prompts(call)
        call.session.phase = Phase.GONE
        call.session.deadline = None
        try:
            call.hangup(pj.CallOpParam())
        except pj.Error:
            pass  # already gone
