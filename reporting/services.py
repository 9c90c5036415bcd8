"""Writes for reports: the one intake every channel goes through.

Channel adapters (Twilio SMS, USSD gateways, the web form) turn their input into a call
here; nothing below knows which provider carried it.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from focal_points.models import Audience, Member, Role
from focal_points.models import Category as _Category
from focal_points.selectors import Place, covering, directory_members, route_report
from messaging import services as messaging
from messaging.models import Channel, Priority
from places.models import Commune
from places.selectors import PlaceMatch, place_match
from reporting import accusations, codes
from reporting.models import (
    AccusationSource,
    Category,
    Consent,
    OccurredPeriod,
    PeopleAffected,
    Report,
    ReportEvent,
    ReportEventKind,
    ReportPhoto,
    ReportRecipient,
    ReportStatus,
    WebSubmission,
)
from reporting.photos import CleanPhoto
from reporting.texts import PLACE_MAX_CHARS, category_word, member_language, sms_text, staff_text
from veille import languages, ratelimit
from veille.crypto import keyed_digest
from veille.gsm7 import to_gsm7
from veille.languages import SOURCE_LANGUAGE
from veille.phones import mask_phone_numbers
from veille.timeutil import now_minute

logger = logging.getLogger(__name__)


def _resident_event(report: Report, kind: str, **fields: object) -> ReportEvent:
    """An event of the reporter's side (arrival, a joined message, a status check...) or
    made by the platform at such a moment: stored to the minute, like the arrival time,
    so the trail never restores the precision the report itself gave up."""
    event = _resident_event_unsaved(report, kind, **fields)
    event.save(force_insert=True)
    return event


def _resident_event_unsaved(report: Report, kind: str, **fields: object) -> ReportEvent:
    """``_resident_event`` not yet written: for events written together in one INSERT."""
    return ReportEvent(report=report, kind=kind, at=now_minute(), **fields)


@dataclass(frozen=True)
class Submitted:
    report: Report
    receipt: str  # shown to the reporter once, never stored in clear


@dataclass(frozen=True)
class PlaceChoice:
    region_id: int | None = None
    cercle_id: int | None = None
    commune_id: int | None = None
    # The commune row, once ``_resolve_place`` read it: the new report keeps it, so its
    # place label (the relay notice, the receipt) costs no second read.
    commune: Commune | None = field(default=None, compare=False, repr=False)


def _resolve_place(choice: PlaceChoice) -> PlaceChoice:
    """Fill the parents of the most precise place given, and check they agree."""
    if choice.commune_id:
        commune = Commune.objects.select_related("cercle").get(pk=choice.commune_id)
        return PlaceChoice(commune.cercle.region_id, commune.cercle_id, commune.pk, commune)
    if choice.cercle_id:
        from places.models import Cercle

        cercle = Cercle.objects.get(pk=choice.cercle_id)
        return PlaceChoice(cercle.region_id, cercle.pk, None)
    return choice


def _place_from_match(match: PlaceMatch | None) -> PlaceChoice:
    if match is None:
        return PlaceChoice()
    return PlaceChoice(match.region_id, match.cercle_id, match.commune_id)


def _new_codes(draw: int) -> tuple[str, str, str]:
    """A fresh reference and receipt for the ``draw``-th try. Not checked in advance (a
    query saved on every report): the unique constraints refuse a collision and the
    caller draws again; references grow a character every five draws, so a filling
    space still yields one.
    """
    reference = codes.random_code(codes.REFERENCE_LENGTH + draw // 5)
    receipt = codes.random_code(codes.RECEIPT_LENGTH)
    return reference, receipt, codes.receipt_digest(receipt)


def report_submit(
    *,
    channel: str,
    description: str = "",
    category: str = Category.UNCLASSIFIED,
    place: PlaceChoice | None = None,
    occurred: str = OccurredPeriod.UNKNOWN,
    people_affected: str = PeopleAffected.UNKNOWN,
    language: str = SOURCE_LANGUAGE,
    sender_pseudonym: str = "",
    photos: list[CleanPhoto] | None = None,
    reporter_displaced: bool = False,
) -> Submitted:
    """Create a report from any channel. Phone numbers in the text are masked first.

    ``reporter_displaced``: the resident said they are displaced; ``place`` stays where it
    happened, never where they live now."""
    if category not in Category.values:
        raise ValueError(f"unknown category {category!r}")
    if occurred not in OccurredPeriod.values:
        raise ValueError(f"unknown period {occurred!r}")
    if people_affected not in PeopleAffected.values:
        raise ValueError(f"unknown people count {people_affected!r}")
    resolved = _resolve_place(place or PlaceChoice())
    text = mask_phone_numbers(description.strip())[: settings.REPORT_MAX_DESCRIPTION_CHARS]
    now = now_minute()
    for draw in range(20):
        reference, receipt, digest = _new_codes(draw)
        try:
            with transaction.atomic():
                report = Report.objects.create(
                    reference=reference,
                    receipt_digest=digest,
                    keypad_digest=codes.keypad_digest(receipt),
                    channel=channel,
                    category=category,
                    language=languages.supported(language),
                    region_id=resolved.region_id,
                    cercle_id=resolved.cercle_id,
                    commune_id=resolved.commune_id,
                    occurred=occurred,
                    people_affected=people_affected,
                    description=text or None,
                    sender_pseudonym=sender_pseudonym,
                    reporter_displaced=reporter_displaced,
                    received_at=now,
                    last_message_at=now,
                )
                break
        except IntegrityError:
            continue  # a reference or receipt collided: draw again
    else:
        raise RuntimeError("could not draw a unique reference")
    if resolved.commune is not None:
        report.commune = resolved.commune  # read once by _resolve_place: the label needs it
    opening = [
        _resident_event_unsaved(report, ReportEventKind.RECEIVED, to_status=ReportStatus.RECEIVED, channel=channel)
    ]
    if resolved.commune_id or resolved.cercle_id or resolved.region_id:
        opening.append(_resident_event_unsaved(report, ReportEventKind.PLACE_SET, channel=channel))
    if photos:
        # Their events follow these: the trail keeps the order things happened in.
        ReportEvent.objects.bulk_create(opening)
        opening = []
    if category == Category.FORCE_ABUSE:
        # The resident's own "abuse by forces": an accusation no later edit can undo.
        accusations.accusation_record(report=report, force="", source=AccusationSource.RESIDENT)
    for photo in photos or []:
        report_photo_add(report=report, photo=photo)
    # Otherwise the opening events go in the routing's one INSERT, with "routed".
    report_route(report=report, new_report=True, opening_events=opening)
    return Submitted(report=report, receipt=receipt)


# Categories whose notices go ahead of everything else in the SMS queue.
URGENT_CATEGORIES = {_Category.ARMED_ATTACK, _Category.KIDNAPPING, _Category.EXPLOSIVE, _Category.ARMED_PRESENCE}


def report_route(
    *, report: Report, new_report: bool = False, opening_events: Sequence[ReportEvent] = ()
) -> list[ReportRecipient]:
    """Record who must see the report and why, and tell the new recipients by SMS.

    Run at intake and again when the place becomes known: recipients already chosen are
    kept, new ones are added (a report first routed nationally reaches the area's relays
    once its commune is recognised). ``opening_events``: the new report's own events,
    not yet written, written here in one INSERT with "routed" (two statements fewer per
    report than one INSERT each).
    """
    decisions = route_report(
        category=report.category, place=Place(report.commune_id, report.cercle_id, report.region_id)
    )
    decided_at = now_minute()  # at intake this is the arrival time: to the minute too
    # A report created in this transaction has no recipients yet: no need to ask.
    already = set() if new_report else set(report.recipients.values_list("member_id", flat=True))
    adding = [
        ReportRecipient(
            report=report,
            member_id=d.member_id,
            rule=d.rule[:200],
            audience=d.audience,
            level=d.level,
            decided_at=decided_at,
        )
        for d in decisions
        if d.member_id not in already
    ]
    events = list(opening_events)
    if adding:
        events.append(_resident_event_unsaved(report, ReportEventKind.ROUTED, channel=report.channel))
    # One transaction (no savepoint inside the caller's): notices queued for recipients
    # whose rows then fail to be written are never sent.
    with transaction.atomic(savepoint=False):
        ReportEvent.objects.bulk_create(events)
        # The notices are queued first, so each recipient row is written once, its
        # notified_at already set: one INSERT for all of them, and no UPDATE after.
        _notify_recipients(report, adding)
        return ReportRecipient.objects.bulk_create(adding)


def report_refer(*, report: Report) -> list[ReportRecipient]:
    """Add the support officers covering the report's place as recipients and tell them.
    Only ``triage.report_refer_to_support`` calls this, after checking consent."""
    members, level = covering(
        Audience.SUPPORT, Place(report.commune_id, report.cercle_id, report.region_id), timezone.now()
    )
    already = set(report.recipients.values_list("member_id", flat=True))
    adding = [
        ReportRecipient(
            report=report,
            member=member,
            rule=f"Orientation avec consentement ({level})",
            audience=Audience.SUPPORT,
            level=level,
            decided_at=now_minute(),
        )
        for member in members
        if member.pk not in already
    ]
    with transaction.atomic(savepoint=False):  # as in report_route
        _notify_recipients(report, adding)
        return ReportRecipient.objects.bulk_create(adding)


def report_answer_consent(*, report: Report, given: bool, channel: str) -> None:
    """The reporter's own answer to the consent question (SMS, web status page, USSD)."""
    if report.support_consent != Consent.ASKED:
        return
    report.support_consent = Consent.GIVEN if given else Consent.REFUSED
    report.save(update_fields=["support_consent"])
    _resident_event(
        report=report, kind=ReportEventKind.CONSENT_ANSWERED, channel=channel, detail=report.support_consent
    )


def unsolicited_sms_allowed() -> bool:
    """Whether the platform may text a reporter who did not just write to it.

    ``SMS_REPLY_MODE=never``: a reporter's phone receives only answers to what its owner
    just sent (``STATUT``, ``STOP``, ``START``, ``PREVENIR``, a consent answer, a
    subscription), never a receipt, a place question, a relay's or a consent question, or
    a closure notice out of the blue: a phone that beeps with a message from Veille can
    betray its owner. Questions then wait for the reporter's next status look-up.
    """
    return settings.SMS_REPLY_MODE != "never"


def report_pending_question_take(*, report: Report, channel: str) -> str | None:
    """Hand the reporter a relay's question that waited for them (``SMS_REPLY_MODE=never``)
    on their status look-up; their answer then joins the report for
    ``QUESTION_REPLY_HOURS``. Returns the question, or None when none waited."""
    with transaction.atomic():
        locked = (
            Report.objects.select_for_update()
            .filter(pk=report.pk, pending_question__isnull=False)
            .exclude(status=ReportStatus.CLOSED)  # a closed case asks nothing any more
            .first()
        )
        if locked is None or not locked.pending_question:
            return None
        question = locked.pending_question
        locked.pending_question = None
        locked.awaiting_reply_until = timezone.now() + timedelta(hours=settings.QUESTION_REPLY_HOURS)
        locked.save(update_fields=["pending_question", "awaiting_reply_until"])
        ReportEvent.objects.create(report=locked, kind=ReportEventKind.QUESTION_DELIVERED, channel=channel)
    report.pending_question, report.awaiting_reply_until = None, locked.awaiting_reply_until
    return question


def report_ask_to_be_told(*, report: Report) -> None:
    if not report.notify_on_close:
        report.notify_on_close = True
        report.save(update_fields=["notify_on_close"])


def report_inform_reporter_of_closure(*, report: Report) -> bool:
    """Tell an SMS reporter who asked for it that the report closed, in words that do not
    say what was reported. Web and USSD reporters read it with their receipt code."""
    if not (report.notify_on_close and report.channel == Channel.SMS and report.sender_pseudonym):
        return False
    if not unsolicited_sms_allowed():
        return False  # the reporter reads it with STATUT: the status says closed
    sent = messaging.outbound_enqueue_to_pseudonym(
        pseudonym=report.sender_pseudonym,
        body=sms_text("closed_notice", report.language),
        purpose="closed_notice",
        priority=Priority.NORMAL,
    )
    if sent is None:
        return False
    _resident_event(report=report, kind=ReportEventKind.INFORMED, channel=Channel.SMS)
    return True


def report_awaiting_consent(*, sender_pseudonym: str) -> Report | None:
    if not sender_pseudonym:
        return None
    return (
        Report.objects.select_for_update()
        .filter(sender_pseudonym=sender_pseudonym, support_consent=Consent.ASKED)
        .exclude(status=ReportStatus.CLOSED)
        .order_by("-pk")
        .first()
    )


def _notify_recipients(report: Report, recipients: list[ReportRecipient]) -> None:
    """A neutral notice: reference, category and place; never the reporter's words.

    ``recipients`` are not yet saved: each told by SMS gets its ``notified_at`` here,
    and the caller writes them all in one INSERT."""
    if not recipients:
        return
    # From the routing directory this process keeps (it chose them): no query.
    members = directory_members([r.member_id for r in recipients])
    missing = [r.member_id for r in recipients if r.member_id not in members]
    if missing:
        members.update(Member.objects.in_bulk(missing))
    place = to_gsm7(report.place_label or "lieu inconnu")[:PLACE_MAX_CHARS]
    priority = Priority.URGENT if report.category in URGENT_CATEGORIES else Priority.NORMAL
    now = now_minute()
    to_send: list[tuple[ReportRecipient, tuple[str, str]]] = []
    for recipient in recipients:
        member = members[recipient.member_id]
        if not member.phone:
            continue  # they see it in their web inbox
        language = (member.language_list or ["fr"])[0]
        body = staff_text(
            "new_report", language, ref=report.reference, category=category_word(report.category, language), place=place
        )
        to_send.append((recipient, (member.phone, body)))
    # All of a report's notices in one go: one opt-out query, two INSERTs, one task.
    queued = messaging.outbound_enqueue_each(
        messages=[message for _, message in to_send], purpose="relay_notice", priority=priority
    )
    for (recipient, _), message in zip(to_send, queued, strict=True):
        if message is not None:
            recipient.notified_at = now


def report_submit_web(
    *,
    token_nonce: str,
    description: str,
    category: str,
    place: PlaceChoice,
    occurred: str,
    people_affected: str,
    language: str,
    photos: list[CleanPhoto],
    reporter_displaced: bool = False,
) -> str:
    """Create a web report and remember its single-use form token, in one transaction.

    Two requests with the same token at once (a double tap on a slow link) both get here;
    the unique token digest lets one commit and rolls the other back whole, report
    included, and the second gets the first's receipt. Returns the receipt.
    """
    from reporting.selectors import web_submission_by_token, web_token_subject

    try:
        with transaction.atomic():
            submitted = report_submit(
                channel=Channel.WEB,
                description=description,
                category=category,
                place=place,
                occurred=occurred,
                people_affected=people_affected,
                language=language,
                photos=photos,
                reporter_displaced=reporter_displaced,
            )
            WebSubmission.objects.create(
                token_digest=keyed_digest(web_token_subject(token_nonce)),
                report=submitted.report,
                receipt=submitted.receipt,
            )
    except IntegrityError:
        done = web_submission_by_token(nonce=token_nonce)
        if done is None:
            raise
        return done.receipt
    return submitted.receipt


def web_submissions_purge() -> int:
    """Form tokens expire; past that, their rows keep an encrypted receipt for nothing."""
    cutoff = timezone.now() - timedelta(seconds=settings.WEB_FORM_TOKEN_MAX_AGE_SECONDS)
    deleted, _ = WebSubmission.objects.filter(created_at__lt=cutoff).delete()
    return deleted


def report_photo_add(*, report: Report, photo: CleanPhoto) -> ReportPhoto:
    stored = ReportPhoto.objects.create(
        report=report,
        image=photo.data,
        content_type=photo.content_type,
        width=photo.width,
        height=photo.height,
        byte_size=len(photo.data),
    )
    _resident_event(report=report, kind=ReportEventKind.PHOTO_ADDED, channel=report.channel)
    return stored


def report_open_for_sender(*, sender_pseudonym: str) -> Report | None:
    """The sender's SMS report still open to more messages (join window)."""
    if not sender_pseudonym:
        return None
    window = timedelta(minutes=settings.SMS_JOIN_WINDOW_MINUTES)
    # A report joins further SMS while it is fresh and untouched, or while a relay waits
    # for the reporter's answer to a question.
    joinable = Q(awaiting_reply_until__gte=timezone.now()) & ~Q(status=ReportStatus.CLOSED)
    if window > timedelta(0):
        joinable |= Q(status=ReportStatus.RECEIVED, last_message_at__gte=now_minute() - window)
    return (
        Report.objects.select_for_update()
        .filter(joinable, sender_pseudonym=sender_pseudonym, channel=Channel.SMS)
        .order_by("-last_message_at", "-pk")
        .first()
    )


def report_join_message(*, report: Report, text: str, reporter_displaced: bool = False) -> Report:
    """Append a further SMS to an open report; try again to recognise the place.

    ``reporter_displaced``: the message began with the displaced word (``DEPLACE``): the
    reporter says so now; it is never unsaid by a later message without the word."""
    masked = mask_phone_numbers(text.strip())
    combined = "\n".join(part for part in [report.description or "", masked] if part)
    report.description = combined[: settings.REPORT_MAX_DESCRIPTION_CHARS]
    report.message_count += 1
    report.last_message_at = now_minute()
    fields = ["description", "message_count", "last_message_at"]
    said_displaced = reporter_displaced and not report.reporter_displaced
    if said_displaced:
        report.reporter_displaced = True
        fields.append("reporter_displaced")
    if not report.commune_id:
        found = _place_from_match(place_match(masked))
        if found.commune_id or (found.region_id and not report.region_id) or (found.cercle_id and not report.cercle_id):
            report.region_id, report.cercle_id, report.commune_id = found.region_id, found.cercle_id, found.commune_id
            fields += ["region", "cercle", "commune"]
            _resident_event(report=report, kind=ReportEventKind.PLACE_SET, channel=report.channel)
    report.save(update_fields=fields)
    _resident_event(
        report=report,
        kind=ReportEventKind.MESSAGE_JOINED,
        channel=report.channel,
        detail="reporter displaced" if said_displaced else "",
    )
    if "commune" in fields:
        report_route(report=report)
    return report


# What a web reporter may add at once on the status page (USSD: one screen's input, 160).
FOLLOW_UP_MAX_CHARS = {Channel.WEB: 1000, Channel.USSD: 160}
FOLLOW_UP_MIN_CHARS = 3


def report_add_information(*, report: Report, text: str, channel: str) -> bool:
    """A web or USSD reporter adds information with her receipt code: it joins the report
    as an SMS joins (numbers masked, encrypted, a ``message_joined`` event on her channel)
    and the relays of the report are told by a neutral SMS. False when refused (closed
    report, empty or too long). The caller holds the report's row lock."""
    words = " ".join(text.split())
    if report.status == ReportStatus.CLOSED or not FOLLOW_UP_MIN_CHARS <= len(words) <= FOLLOW_UP_MAX_CHARS[channel]:
        return False
    masked = mask_phone_numbers(words)
    combined = "\n".join(part for part in [report.description or "", f"Ajout : {masked}"] if part)
    report.description = combined[: settings.REPORT_MAX_DESCRIPTION_CHARS]
    report.message_count += 1
    report.last_message_at = now_minute()
    report.save(update_fields=["description", "message_count", "last_message_at"])
    _resident_event(report=report, kind=ReportEventKind.MESSAGE_JOINED, channel=channel, detail="added information")
    _notify_added_information(report)
    return True


def _notify_added_information(report: Report) -> None:
    """Tell who handles the report: the member holding it, else its relays and
    coordinators (those with a phone; the others see it in their inbox)."""
    if report.claimed_by_id and report.claimed_until and report.claimed_until > timezone.now():
        members = [report.claimed_by]
    else:
        ids = report.recipients.values_list("member_id", flat=True)
        members = list(Member.objects.filter(pk__in=ids, role__in=[Role.RELAY, Role.COORDINATOR], is_active=True))
    for member in members:
        if member.phone:
            body = staff_text("report_added", member_language(member), ref=report.reference)
            messaging.outbound_enqueue(
                to_number=member.phone, body=body, purpose="relay_notice", priority=Priority.NORMAL
            )


def report_mark_place_asked(*, report: Report) -> None:
    report.place_asked = True
    report.save(update_fields=["place_asked"])
    _resident_event(report=report, kind=ReportEventKind.PLACE_ASKED, channel=report.channel)


def report_place_from_text(text: str) -> PlaceChoice:
    return _place_from_match(place_match(text))


def _receipt_limits() -> tuple[ratelimit.Limit, ratelimit.Limit]:
    client = ratelimit.Limit("receipt-client", settings.RECEIPT_FAILURES_PER_CLIENT, settings.RECEIPT_BUCKET_SECONDS)
    everyone = ratelimit.Limit("receipt-global", settings.RECEIPT_FAILURES_PER_MINUTE, 60)
    return client, everyone


def report_by_receipt(*, receipt: str, buckets: Sequence[str]) -> Report | None:
    """The report of a receipt code, for its status.

    Wrong codes are counted per client (``buckets``: the web client's address bucket, the
    phone pseudonym and USSD session; see ``veille.ratelimit``): past
    ``RECEIPT_FAILURES_PER_CLIENT`` in ``RECEIPT_BUCKET_SECONDS`` that client's lookups
    answer "unknown" until its window ends, while everyone else goes on. A global cap,
    ``RECEIPT_FAILURES_PER_MINUTE`` far above normal use, bounds many clients together.
    docs/security.md works out what a guesser finds at these limits."""
    if not buckets:
        raise ValueError("a receipt lookup needs the client's buckets")
    client, everyone = _receipt_limits()
    if ratelimit.is_blocked(client, buckets) or ratelimit.is_blocked(everyone, [ratelimit.GLOBAL_BUCKET]):
        return None
    normalized = codes.normalize_code(receipt)
    report = None
    if len(normalized) == codes.RECEIPT_LENGTH:
        report = Report.objects.filter(receipt_digest__in=codes.receipt_digest_candidates(normalized)).first()
    if report is None:
        ratelimit.record_failure(client, buckets)
        ratelimit.record_failure(everyone, [ratelimit.GLOBAL_BUCKET])
    return report


def report_by_keypad_receipt(*, keys: str, buckets: Sequence[str], sender_pseudonym: str) -> Report | None:
    """The report of a receipt code typed on a keypad (one key per character), among the
    reports sent from the same phone only, under the same per-client and global limits as
    ``report_by_receipt``.

    Keys stand for several characters: 8¹⁰ ≈ 1.1 × 10⁹ keypad forms, too few to search
    among every live report (docs/security.md, "Receipt codes typed on a keypad"); among
    one phone's few reports a guess is hopeless. Keys shared by two of that phone's codes
    find neither: a caller is never shown the wrong report."""
    if not buckets:
        raise ValueError("a receipt lookup needs the client's buckets")
    client, everyone = _receipt_limits()
    if ratelimit.is_blocked(client, buckets) or ratelimit.is_blocked(everyone, [ratelimit.GLOBAL_BUCKET]):
        return None
    report = None
    if sender_pseudonym and len(keys) == codes.RECEIPT_LENGTH and keys.isascii() and keys.isdigit():
        candidates = Report.objects.filter(
            keypad_digest__in=codes.keypad_digest_candidates(keys), sender_pseudonym=sender_pseudonym
        )
        found = list(candidates[:2])
        report = found[0] if len(found) == 1 else None
    if report is None:
        ratelimit.record_failure(client, buckets)
        ratelimit.record_failure(everyone, [ratelimit.GLOBAL_BUCKET])
    return report


def report_status_checked(*, report: Report, channel: str) -> None:
    _resident_event(report=report, kind=ReportEventKind.STATUS_CHECKED, channel=channel)


def report_latest_for_sender(*, sender_pseudonym: str) -> Report | None:
    if not sender_pseudonym:
        return None
    return Report.objects.filter(sender_pseudonym=sender_pseudonym).order_by("-received_at", "-pk").first()


def reports_purge(*, older_than_days: int) -> int:
    """Retention: delete closed reports (with photos, events, routing, alerts) past the
    retention time, and staff-read rows as old. The only deletion of the trail, so it
    records what it deleted, as counts per table (``PurgeRecord``)."""
    from reporting.models import PurgeRecord, StaffRead

    cutoff = timezone.now() - timedelta(days=older_than_days)
    with transaction.atomic():
        _total, per_table = Report.objects.filter(status=ReportStatus.CLOSED, last_message_at__lt=cutoff).delete()
        reads, _ = StaffRead.objects.filter(at__lt=cutoff).delete()
        counts = {label: n for label, n in per_table.items() if n}
        if reads:
            counts["reporting.StaffRead"] = reads
        PurgeRecord.objects.create(job="closed_reports", cutoff=cutoff, counts=counts)
    return counts.get("reporting.Report", 0)
