"""The resident's web pages: a landing page, the report form, the status page.

What these pages never do, whatever the path through them:
- set a cookie (no session, no CSRF cookie: the report form carries a signed single-use
  token instead, see reporting/forms.py);
- put a receipt code in a URL (the receipt is shown in the POST response itself, and the
  status page is a POST form), so it is in no history, proxy log or Referer;
- load anything from another site, or run inline script or style (strict CSP);
- keep anything the reporter has not sent: no draft, no autosave. The quick exit leaves
  only what she had already confirmed by pressing "Envoyer".

Choice of the place picker (no JavaScript, 2G): one <select> of every commune grouped in
<optgroup label="Région — Cercle">, opened by "commune unknown" for each cercle and a
group of regions alone. Chained region -> cercle -> commune pages would cost two more
round trips (each one to three seconds on 2G, and a failure point on a flaky link) and
a typed name needs a confirmation page for the same reason; one list, about 30 KB of
the page before compression, works in every browser down to Opera Mini and KaiOS, needs
no spelling, and with JavaScript on static/js/place-picker.js turns it into three short
chained lists. The page is checked to stay under 60 KB in tests/reporting/test_web_form.py.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import render
from django.urls import translate_url
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from messaging.models import Channel
from reporting import codes, questions
from reporting.forms import ConsentForm, ReportForm, StatusForm, check_form_token, new_form_token
from reporting.models import Consent, Report, ReportStatus
from reporting.selectors import place_groups, web_submission_by_token
from reporting.services import (
    FOLLOW_UP_MAX_CHARS,
    report_add_information,
    report_answer_consent,
    report_by_receipt,
    report_pending_question_take,
    report_status_checked,
    report_submit_web,
)
from veille import languages

logger = logging.getLogger(__name__)

# The steps a resident may see, in order: words only, never what the report says.
STATUS_STEPS = [ReportStatus.RECEIVED, ReportStatus.IN_REVIEW, ReportStatus.FORWARDED, ReportStatus.CLOSED]


def _status_explanations() -> dict[str, str]:
    return {
        ReportStatus.RECEIVED: _("Votre signalement est arrivé. Il attend d'être lu par un relais."),
        ReportStatus.IN_REVIEW: _("Un relais de la société civile le lit et le vérifie."),
        ReportStatus.FORWARDED: _("Il a été transmis à ceux qui peuvent agir."),
        ReportStatus.CLOSED: _("Le traitement est terminé. Merci."),
    }


def _too_big_for_parsing() -> int:
    """Bodies above this are refused unread. Below it the body is parsed even when photos
    are too big (those are skipped), so the other answers can be shown again."""
    return 2 * settings.REPORT_MAX_PHOTOS * settings.REPORT_MAX_PHOTO_BYTES + settings.DATA_UPLOAD_MAX_MEMORY_SIZE


class PhotoLimitHandler(FileUploadHandler):
    """First upload handler of the report form: drops a photo as soon as it passes the size
    limit and every file past the count limit, instead of spooling them to disk, and
    remembers why so the form can say it."""

    def __init__(self, *, max_bytes: int, max_files: int) -> None:
        super().__init__()
        self.max_bytes = max_bytes
        self.max_files = max_files
        self.errors: list[str] = []
        self.files_seen = 0
        self.current_size = 0

    def new_file(self, field_name: str, file_name: str, *args: object, **kwargs: object) -> None:
        super().new_file(field_name, file_name, *args, **kwargs)
        self.files_seen += 1
        self.current_size = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        # Skipping happens here, never in new_file: Django then closes the file being
        # received, where from new_file it would close the previous, complete one.
        if self.files_seen > self.max_files:
            message = ReportForm.too_many_photos_message()
            if message not in self.errors:
                self.errors.append(message)
            raise SkipFile
        self.current_size += len(raw_data)
        if self.current_size > self.max_bytes:
            limit = self.max_bytes / (1024 * 1024)
            self.errors.append(
                _("« %(name)s » : la photo dépasse %(size)s Mo.")
                % {"name": self.file_name, "size": f"{limit:.0f}" if limit >= 1 else f"{limit:.1f}"}
            )
            raise SkipFile
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None  # the next handlers (memory, then temporary file) build the file


def _language_links(request: HttpRequest) -> list[dict[str, object]]:
    """The same page in each language: the language lives in the URL, never in a cookie."""
    current = get_language()
    return [
        {"code": code, "name": name, "url": translate_url(request.path, code), "current": code == current}
        for code, name in settings.LANGUAGES
    ]


def _page(request: HttpRequest, template: str, context: dict[str, object]) -> HttpResponse:
    context.setdefault("language_links", _language_links(request))
    # Re-shown forms answer 200, not 4xx: some operators' proxies replace error pages with
    # their own, and the resident must read our message and her answers.
    return render(request, template, context)


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    return _page(request, "reporting/home.html", {})


def _form_page(request: HttpRequest, form: ReportForm, *, token: str, errors: list[str] | None = None) -> HttpResponse:
    selected = (form["place"].value() or "") if form.is_bound else ""
    return _page(
        request,
        "reporting/report_form.html",
        {
            "form": form,
            "token": token,
            "page_errors": errors or [],
            "place_groups": place_groups(),
            "selected_place": selected,
            "max_photos": settings.REPORT_MAX_PHOTOS,
            "max_photo_mb": max(1, settings.REPORT_MAX_PHOTO_BYTES // (1024 * 1024)),
        },
    )


def _receipt_page(request: HttpRequest, receipt: str) -> HttpResponse:
    step = codes.RECEIPT_GROUP
    grouped = " ".join(receipt[i : i + step] for i in range(0, len(receipt), step))
    return _page(
        request,
        "reporting/receipt.html",
        # No language links here: following one would leave the receipt behind.
        {"receipt": receipt, "receipt_grouped": grouped, "language_links": []},
    )


@csrf_exempt  # no CSRF cookie on public pages: the signed form token stands in for it
@require_http_methods(["GET", "POST"])
def report_form(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return _form_page(request, ReportForm(), token=new_form_token())

    if int(request.META.get("CONTENT_LENGTH") or 0) > _too_big_for_parsing():
        # Refused unread: the answers cannot be shown again, so the message says so.
        message = _(
            "L'envoi était trop gros (photos trop lourdes) et n'a pas été enregistré. "
            "Choisissez moins de photos, ou des photos plus petites, et recommencez."
        )
        return _form_page(request, ReportForm(), token=new_form_token(), errors=[message])

    # Upload handlers can change only before the body is read: csrf_exempt above keeps
    # the CSRF middleware from reading it first.
    limiter = PhotoLimitHandler(max_bytes=settings.REPORT_MAX_PHOTO_BYTES, max_files=settings.REPORT_MAX_PHOTOS)
    request.upload_handlers.insert(0, limiter)
    try:
        data = request.POST
        photos = request.FILES.getlist("photos")
    except (RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent, MultiPartParserError):
        message = _(
            "L'envoi n'a pas pu être lu (trop gros ou incomplet) et n'a pas été enregistré. "
            "Recommencez, s'il vous plaît."
        )
        return _form_page(request, ReportForm(), token=new_form_token(), errors=[message])

    check = check_form_token(data.get("token", ""))
    if check.nonce is not None:
        done = web_submission_by_token(nonce=check.nonce)
        if done is not None:
            # A double click, a reload or a replay: the same receipt, no second report.
            return _receipt_page(request, done.receipt)

    form = ReportForm(data, photos=photos, upload_errors=limiter.errors)
    valid = form.is_valid()
    if check.nonce is None:
        return _form_page(request, form, token=new_form_token(), errors=[check.error])
    if not valid:
        return _form_page(request, form, token=data["token"])
    receipt = report_submit_web(
        token_nonce=check.nonce,
        description=form.cleaned_data["description"],
        category=form.cleaned_data["category"],
        place=form.place_choice,
        occurred=form.cleaned_data["occurred"],
        people_affected=form.cleaned_data["people_affected"],
        language=languages.supported(get_language()),
        photos=form.clean_photos,
        reporter_displaced=form.cleaned_data["reporter_displaced"],
    )
    return _receipt_page(request, receipt)


def _status_page(
    request: HttpRequest,
    form: StatusForm,
    *,
    report: object = None,
    not_found: bool = False,
    thanks: bool = False,
    question: str | None = None,
    added: bool = False,
    add_refused: bool = False,
) -> HttpResponse:
    context: dict[str, object] = {
        "form": form,
        "not_found": not_found,
        "thanks": thanks,
        # A relay's question that waited for this look-up (SMS_REPLY_MODE=never); one with
        # numbered choices is shown as buttons instead ("question", below).
        "waiting_question": question,
        "reply_hours": settings.QUESTION_REPLY_HOURS,
        "added": added,
        "add_refused": add_refused,
        "add_max": FOLLOW_UP_MAX_CHARS[Channel.WEB],
    }
    if report is not None:
        explanations = _status_explanations()
        current = STATUS_STEPS.index(report.status)
        context.update(
            {
                "status_label": ReportStatus(report.status).label,
                "status_explanation": explanations[report.status],
                "steps": [
                    {"label": step.label, "done": i < current, "current": i == current}
                    for i, step in enumerate(STATUS_STEPS)
                ],
                "consent_asked": report.support_consent == Consent.ASKED,
                "question": questions.pending_choices(report),
                "code": codes.normalize_code(form.cleaned_data["code"]),
                "may_add": report.status != ReportStatus.CLOSED,
            }
        )
    return _page(request, "reporting/status.html", context)


def _buckets(request: HttpRequest) -> list[str]:
    """The client's rate-limit bucket, named by the privacy middleware before it wiped the
    address (a request that did not pass through it shares one bucket: safe, not open)."""
    return [getattr(request, "client_bucket", "addr:unknown")]


@csrf_exempt  # a lookup by a secret code: a forged cross-site POST learns nothing
@require_http_methods(["GET", "POST"])
def report_status(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return _status_page(request, StatusForm())
    if "consent" in request.POST:
        return _answer_consent(request)
    if "choice" in request.POST:
        return _answer_question(request)
    if "added" in request.POST:
        return _add_information(request)
    form = StatusForm(request.POST)
    if not form.is_valid():
        return _status_page(request, form)
    report = report_by_receipt(receipt=form.cleaned_data["code"], buckets=_buckets(request))
    if report is None:
        return _status_page(request, form, not_found=True)
    report_status_checked(report=report, channel=Channel.WEB)
    # A relay's question that waited for this look-up (SMS_REPLY_MODE=never).
    question = report_pending_question_take(report=report, channel=Channel.WEB)
    return _status_page(request, form, report=report, question=question)


def _answer_question(request: HttpRequest) -> HttpResponse:
    """A relay's question with numbered choices, answered with the reporter's own code."""
    form = StatusForm({"code": request.POST.get("code", "")})
    if not form.is_valid():
        return _status_page(request, StatusForm())
    report = report_by_receipt(receipt=form.cleaned_data["code"], buckets=_buckets(request))
    if report is None:
        return _status_page(request, form, not_found=True)
    with transaction.atomic():
        locked = Report.objects.select_for_update().get(pk=report.pk)
        answered = questions.report_answer_question(
            report=locked, choice=request.POST.get("choice", ""), channel=Channel.WEB
        )
    return _status_page(request, form, report=locked, thanks=answered)


def _add_information(request: HttpRequest) -> HttpResponse:
    """The reporter adds information (or answers a relay in words) with her own code."""
    form = StatusForm({"code": request.POST.get("code", "")})
    if not form.is_valid():
        return _status_page(request, StatusForm())
    report = report_by_receipt(receipt=form.cleaned_data["code"], buckets=_buckets(request))
    if report is None:
        return _status_page(request, form, not_found=True)
    with transaction.atomic():
        locked = Report.objects.select_for_update().get(pk=report.pk)
        added = report_add_information(report=locked, text=request.POST.get("added", ""), channel=Channel.WEB)
    return _status_page(request, form, report=locked, added=added, add_refused=not added)


def _answer_consent(request: HttpRequest) -> HttpResponse:
    """Scenario 3: the reporter answers, on the channel she used, whether she wants to be
    put in touch with a support centre. Only her own code can answer for her report."""
    consent = ConsentForm(request.POST)
    form = StatusForm({"code": request.POST.get("code", "")})
    if not (consent.is_valid() and form.is_valid()):
        return _status_page(request, StatusForm())
    report = report_by_receipt(receipt=consent.cleaned_data["code"], buckets=_buckets(request))
    if report is None:
        return _status_page(request, form, not_found=True)
    with transaction.atomic():
        report_answer_consent(report=report, given=consent.cleaned_data["consent"] == "yes", channel=Channel.WEB)
    report.refresh_from_db(fields=["support_consent"])
    return _status_page(request, form, report=report, thanks=True)
