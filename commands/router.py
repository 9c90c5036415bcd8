"""The one handler of every inbound SMS (``settings.INBOUND_SMS_HANDLERS``).

The sender's role is resolved first, from the registered phone of an active member:
resident (anyone else), relay, focal point (or unit commander), coordinator. Then the
message is read against that role's keyword table only (``commands.keywords``), so a
word means one thing per role: a resident's "ok" answers a question, a focal point's
acknowledges an alert; a resident's "end" opts out, a focal point's ends a response.

- Residents: any text that is no keyword is a report (``reporting.sms``).
- Members: a message that is no command is answered "not understood", never taken for
  a report; every reply says what happened, or why nothing did, in one segment, in the
  member's language.

The router lives in its own app, above ``alerts`` (it dispatches to relay triage in
``reporting.triage`` and to forwarding in ``alerts.services``), so that no app below
has to know the others' words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from alerts import services as alert_services
from alerts import sms as alert_sms
from alerts.services import AlertStepError
from commands import keywords as kw
from commands import relay
from commands import texts as t
from focal_points.models import Member
from focal_points.selectors import directory_has_phone
from messaging import services as messaging
from messaging.models import Priority
from messaging.services import InboundSms
from places.normalize import fold
from reporting import sms as resident_sms
from reporting.models import Report
from reporting.texts import member_language

# --- residents -----------------------------------------------------------------------


@dataclass(frozen=True)
class Command:
    kind: str  # an action of the resident table, or "report"
    language: str
    argument: str = ""
    # A report whose first word was DEPLACE / DEPLACEE / DISPLACED: the reporter is displaced.
    displaced: bool = False


_WHOLE_MESSAGE = {"opt_out", "opt_in", "notify", "yes", "no"}
STATUS_CODE_MAX = 12


def parse_resident(body: str) -> Command:
    """Keywords count only when they are the whole message (opt-out/in, notify, yes/no)
    or its first word (status, subscriptions, the displaced word of a report): "stop aux
    attaques a Boni" is a report."""
    folded = fold(body)
    found = kw.lookup(kw.RESIDENT, folded, tolerant=False)
    if found and found[0] in _WHOLE_MESSAGE | {"unsubscribe", "status"}:
        action, language = found
        # A bare UNSUBSCRIBE stops everything, as Twilio itself does on that word.
        return Command("opt_out" if action == "unsubscribe" else action, language)
    first, _, rest = folded.partition(" ")
    found = kw.lookup(kw.RESIDENT, first, tolerant=False)
    if found:
        action, language = found
        if action == "status" and len(rest.replace(" ", "")) <= STATUS_CODE_MAX:
            return Command("status", language, rest.replace(" ", "").upper())
        if action in {"subscribe", "unsubscribe"}:
            return Command(action, language, rest)
        if action == "displaced":
            # Still a report, taken whole (the word included: nothing of it is lost); its
            # language is the keyword's unless the words after it say otherwise.
            guessed = resident_sms.guess_language(rest)
            return Command("report", guessed if guessed != "fr" else language, displaced=True)
    # Not a command: the reply's language is guessed from the words.
    return Command("report", resident_sms.guess_language(body))


_REFERENCE = re.compile(r"^[A-Z0-9]{4,8}$")


def _quotes_a_staff_reference(body: str) -> bool:
    """Someone unknown sending a staff command about an existing report or alert (a
    former member, a seized phone): told nothing changed, and no report is made. Only
    keyword + reference, so a resident's free text is never caught."""
    alert_command = parse_alert_command(body)
    if alert_command is not None and alert_command.reference:
        readings = (alert_command.reference, *alert_command.alternatives)
        return any(alert_services.alert_reference_exists(reading) for reading in readings)
    words = body.split()
    if len(words) != 2:
        return False
    found = kw.lookup(kw.COORDINATOR, fold(words[0]), tolerant=False)
    reference = relay.clean_reference(words[1])
    return bool(found and found[0] != "help" and _REFERENCE.match(reference)) and (
        Report.objects.filter(reference=reference).exists()
    )


def _resident(sms: InboundSms) -> bool:
    if _quotes_a_staff_reference(sms.body):
        messaging.outbound_enqueue_to_pseudonym(
            pseudonym=sms.sender_pseudonym,
            body=t.text("unknown_number", "fr"),
            purpose="staff_reply",
            priority=Priority.NORMAL,
        )
        return True
    command = parse_resident(sms.body)
    if command.kind == "opt_out":
        resident_sms.opt_out(sms, command.language)
    elif command.kind == "opt_in":
        resident_sms.opt_in(sms, command.language)
    elif command.kind == "status":
        resident_sms.answer_status(sms, command.language, command.argument)
    elif command.kind == "notify":
        resident_sms.notify(sms, command.language)
    elif command.kind in {"subscribe", "unsubscribe"}:
        alert_sms.subscription(
            sms, language=command.language, subscribing=command.kind == "subscribe", place_text=command.argument
        )
    else:
        answer = command.kind if command.kind in {"yes", "no"} else None
        resident_sms.take_report(sms, command.language, answer=answer, displaced=command.displaced)
    return True


# --- focal points: answers to alerts -----------------------------------------------

# Longest phrases first so "en route" wins over a lone "en"; spaces are optional.
ALERT_PHRASES: list[tuple[str, str]] = sorted(
    {(word.replace(" ", ""), action) for word, action, _ in kw.entries(kw.FOCAL_POINT) if action in kw.ALERT_ACTIONS},
    key=lambda item: (-len(item[0]), item[0]),
)
# References use the receipt alphabet (no O/0, I/1, L, S/5, B/8, Z/2), which keeps words
# like "endroit" from reading as "END ROIT". "R" is in that alphabet, so "RK7MA" may be
# the reference "RK7MA" or "R" + "K7MA": both readings are kept and resolved against the
# sender's own alerts (``alert_record_step``).
_CODE = "[acdefghjkmnpqrtuvwxy34679]{4,8}"
_PLAIN = re.compile(rf"^({_CODE})$")
# "R-K7MA" or "R K7MA": a lone R word before the code is the prefix, without doubt.
_SEPARATE_PREFIX = re.compile(rf"(?:^|\s)r\s({_CODE})$")


@dataclass(frozen=True)
class AlertCommand:
    step: str
    # The reference as most literally read ("" for a bare command)...
    reference: str = ""
    # ...and the other reading, with a leading "R" taken as the "R-" prefix.
    alternatives: tuple[str, ...] = ()


def _readings(text: str, spaced: str) -> tuple[str, ...]:
    """Every reference ``text`` (the message after its command word, spaces removed) can
    be, most literal first; () when it is none. ``spaced`` is the whole folded message."""
    separate = _SEPARATE_PREFIX.search(spaced)
    if separate and text == "r" + separate.group(1):
        return (separate.group(1).upper(),)
    if not _PLAIN.match(text):
        return ()
    readings = [text.upper()]
    if text.startswith("r") and _PLAIN.match(text[1:]):
        readings.append(text[1:].upper())
    return tuple(readings)


def parse_alert_command(body: str, *, tolerant: bool = False) -> AlertCommand | None:
    """OK / EN ROUTE / SUR PLACE / FIN, with or without a reference. Forgives case,
    accents, punctuation, "R-" before the reference and a missing space; with
    ``tolerant`` (a focal point's own phone), one typo in a long keyword too."""
    spaced = fold(body)
    compact = spaced.replace(" ", "")
    for phrase, step in ALERT_PHRASES:
        if compact == phrase:
            return AlertCommand(step)
        if compact.startswith(phrase):
            readings = _readings(compact[len(phrase) :], spaced)
            if readings:
                return AlertCommand(step, readings[0], readings[1:])
    if tolerant:
        first, _, rest = spaced.partition(" ")
        found = kw.lookup(kw.FOCAL_POINT, first, tolerant=True)
        if found and found[0] in kw.ALERT_ACTIONS:
            if not rest:
                return AlertCommand(found[0])
            readings = _readings(rest.replace(" ", ""), rest)
            if readings:
                return AlertCommand(found[0], readings[0], readings[1:])
    return None


# --- members -------------------------------------------------------------------------


def member_for(sms: InboundSms) -> Member | None:
    """The active member whose registered phone sent this, in an active organisation."""
    if not directory_has_phone(sms.sender_pseudonym):
        return None  # a resident's phone, the common case: the directory says so, no query
    # A member's: read afresh (with their organisation and user), not the shared copy.
    return (
        Member.objects.select_related("organisation", "user")
        .filter(phone_pseudonym=sms.sender_pseudonym, is_active=True, organisation__is_active=True)
        .first()
    )


def _record_step(member: Member, command: AlertCommand, language: str) -> None:
    try:
        alert = alert_services.alert_record_step(
            member=member,
            reference=command.reference,
            alternatives=command.alternatives,
            step=command.step,
            channel="sms",
        )
    except AlertStepError as exc:
        params = dict(exc.params)
        if "step" in params:
            params["step"] = t.word(t.STEP_WORDS, params["step"], language)
        reason = t.word(t.REASONS, exc.key, language, **params) if exc.key in t.REASONS else str(exc)
        relay.reply(member, t.text("step_refused", language, reason=reason))
        return
    step = t.word(t.STEP_WORDS, command.step, language)
    relay.reply(member, t.text("step_recorded", language, ref=alert.reference, step=step))


def _member(sms: InboundSms, member: Member, role: str) -> bool:
    language = member_language(member)
    if role in {kw.FOCAL_POINT, kw.COORDINATOR}:
        command = parse_alert_command(sms.body, tolerant=True)
        if command is not None:
            _record_step(member, command, language)
            return True
    parsed = relay.parse(sms.body, role)
    if parsed is None:
        relay.reply(member, t.text("not_understood", language))
    elif parsed.action == "help":
        relay.reply(member, relay.help_text(role, parsed.topic, language))
    elif role == kw.FOCAL_POINT:
        # "OK K7M" (a reference too short): say how the answer is written.
        usage = relay.USAGE.get(parsed.action) if parsed.action in kw.ALERT_ACTIONS else None
        answer = t.text("usage", language, usage=usage[language]) if usage else t.text("not_understood", language)
        relay.reply(member, answer)
    else:
        relay.execute(member, parsed, language)
    return True


def handle_inbound_sms(sms: InboundSms) -> bool:
    member = member_for(sms)
    role = kw.ROLE_OF.get(member.role) if member is not None else None
    if member is None or role is None:
        return _resident(sms)
    return _member(sms, member, role)
