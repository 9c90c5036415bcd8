"""The public report form and the status form.

No CSRF cookie on public pages (no cookie at all): the report form carries a signed,
single-use token instead. Its signature proves the form came from this server; its
keyed digest, stored with the report, makes a second submission of the same form show
the first receipt again instead of creating a second report.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from django import forms
from django.conf import settings
from django.core import signing
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from reporting.models import Category, OccurredPeriod, PeopleAffected
from reporting.photos import CleanPhoto, PhotoRejected, clean_photo
from reporting.selectors import place_choice_from_value
from reporting.services import PlaceChoice

TOKEN_SALT = "reporting.web-form"
CODE_MAX_CHARS = 24  # a 10-character receipt, with room for spaces and dashes


def new_form_token() -> str:
    return signing.TimestampSigner(salt=TOKEN_SALT).sign(secrets.token_urlsafe(18))


@dataclass(frozen=True)
class TokenCheck:
    nonce: str | None  # the token's random part when the signature holds
    error: str = ""  # why it does not, for the reporter


def check_form_token(token: str) -> TokenCheck:
    signer = signing.TimestampSigner(salt=TOKEN_SALT)
    try:
        return TokenCheck(nonce=signer.unsign(token or "", max_age=settings.WEB_FORM_TOKEN_MAX_AGE_SECONDS))
    except signing.SignatureExpired:
        hours = settings.WEB_FORM_TOKEN_MAX_AGE_SECONDS // 3600
        return TokenCheck(
            nonce=None,
            error=_(
                "Ce formulaire était ouvert depuis plus de %(hours)s heures et a expiré. "
                "Vos réponses sont gardées ci-dessous : vérifiez-les et envoyez à nouveau."
            )
            % {"hours": hours},
        )
    except signing.BadSignature:
        return TokenCheck(
            nonce=None,
            error=_(
                "Ce formulaire n'a pas pu être vérifié. Vos réponses sont gardées ci-dessous : "
                "vérifiez-les et envoyez à nouveau."
            ),
        )


def category_choices() -> list[tuple[str, str]]:
    # "To be classified" is the relays' word for a report without category, not a choice.
    return [(value, label) for value, label in Category.choices if value != Category.UNCLASSIFIED]


def occurred_choices() -> list[tuple[str, str]]:
    labels = {OccurredPeriod.UNKNOWN: _("Je ne sais pas")}
    return [(value, labels.get(value, label)) for value, label in OccurredPeriod.choices]


def people_choices() -> list[tuple[str, str]]:
    labels = {PeopleAffected.UNKNOWN: _("Je ne sais pas")}
    return [(value, labels.get(value, label)) for value, label in PeopleAffected.choices]


class ReportForm(forms.Form):
    """Category, place, when, how many, description; photos come from ``request.FILES``.

    Every field but the category may stay empty: a short report now is worth more than a
    complete one never sent.
    """

    # The server says what is missing, in the page's language; a browser's own bubble
    # would speak the phone's language and vanish on old browsers.
    use_required_attribute = False
    category = forms.ChoiceField(
        label=_("Que s'est-il passé ?"),
        choices=category_choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choisissez ce qui s'est passé (ou « Autre »).")},
    )
    # Validated against the gazetteer in clean_place; rendered by the template as one
    # <select> of <optgroup>s (see reporting/views.py for why).
    place = forms.CharField(label=_("Où ?"), required=False, max_length=12)
    occurred = forms.ChoiceField(
        label=_("Quand ?"),
        choices=occurred_choices,
        widget=forms.RadioSelect,
        required=False,
        initial=OccurredPeriod.UNKNOWN,
    )
    people_affected = forms.ChoiceField(
        label=_("Combien de personnes touchées ?"),
        choices=people_choices,
        required=False,
        initial=PeopleAffected.UNKNOWN,
    )
    description = forms.CharField(
        label=_("Décrivez ce que vous avez vu ou entendu"),
        required=False,
        max_length=settings.REPORT_MAX_DESCRIPTION_CHARS,
        widget=forms.Textarea(attrs={"rows": 6, "autocomplete": "off", "spellcheck": "false"}),
        error_messages={"max_length": _("Le texte est trop long (%(limit_value)d caractères au plus).")},
    )
    # A fact about the reporter (issue 19), never where they live now: "Où ?" above stays
    # where it happened. Unticked is "not said", not "not displaced".
    reporter_displaced = forms.BooleanField(
        label=_("Je suis déplacé(e) : j'ai dû quitter mon lieu de vie"),
        required=False,
    )

    def __init__(
        self,
        *args: object,
        photos: list[UploadedFile] | None = None,
        upload_errors: list[str] | None = None,
        **kwargs: object,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.uploaded = photos or []
        self.upload_errors = upload_errors or []
        self.clean_photos: list[CleanPhoto] = []
        self.place_choice = PlaceChoice()

    def clean_place(self) -> str:
        value = self.cleaned_data.get("place", "")
        choice = place_choice_from_value(value)
        if choice is None:
            raise forms.ValidationError(_("Ce lieu n'est pas dans la liste. Choisissez-en un autre."))
        self.place_choice = choice
        return value

    def clean_occurred(self) -> str:
        return self.cleaned_data.get("occurred") or OccurredPeriod.UNKNOWN

    def clean_people_affected(self) -> str:
        return self.cleaned_data.get("people_affected") or PeopleAffected.UNKNOWN

    def clean(self) -> dict[str, object]:
        cleaned = super().clean()
        errors = list(self.upload_errors)
        if len(self.uploaded) > settings.REPORT_MAX_PHOTOS:
            if self.too_many_photos_message() not in errors:
                errors.append(self.too_many_photos_message())
        else:
            for upload in self.uploaded:
                try:
                    self.clean_photos.append(clean_photo(_read_capped(upload)))
                except PhotoRejected as rejected:
                    errors.append(_("« %(name)s » : %(reason)s") % {"name": upload.name, "reason": rejected})
        if errors:
            self.clean_photos = []
            self.add_error(None, [*errors, _("Les photos doivent être choisies à nouveau.")])
        return cleaned

    @staticmethod
    def too_many_photos_message() -> str:
        limit = settings.REPORT_MAX_PHOTOS
        return ngettext("Une seule photo au plus.", "%(count)d photos au plus.", limit) % {"count": limit}


def _read_capped(upload: UploadedFile) -> bytes:
    """Read at most one byte past the limit: clean_photo refuses it without the whole file
    in memory (the upload handler in views.py normally stopped it earlier)."""
    upload.seek(0)
    return upload.read(settings.REPORT_MAX_PHOTO_BYTES + 1)


class StatusForm(forms.Form):
    use_required_attribute = False
    code = forms.CharField(
        label=_("Code de suivi"),
        max_length=CODE_MAX_CHARS,
        error_messages={"required": _("Écrivez le code de suivi reçu après l'envoi.")},
        widget=forms.TextInput(
            attrs={
                "autocomplete": "off",
                "autocapitalize": "characters",
                "spellcheck": "false",
                "class": "code-input",
            }
        ),
    )


class ConsentForm(forms.Form):
    code = forms.CharField(max_length=CODE_MAX_CHARS, widget=forms.HiddenInput)
    consent = forms.ChoiceField(choices=[("yes", "yes"), ("no", "no")])
