"""Photos are decoded and re-encoded from their pixels: EXIF (GPS, device serial, time),
XMP, ICC profiles and any trailing data are gone. Only images are accepted.

Pillow is asked to open the accepted formats only (``formats=``), so no other decoder
(DDS, PSD, EPS...) is ever reached by a hostile file; and any exception a decoder raises
is a refusal, never an error page: the resident keeps her answers."""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

ACCEPTED_FORMATS = {"JPEG", "PNG", "WEBP", "GIF", "BMP"}
# The order Pillow tries them in: the commonest first.
_OPEN_ORDER = ["JPEG", "PNG", "WEBP", "GIF", "BMP"]


class PhotoRejected(ValueError):
    """A file that is not an acceptable image; the message is shown to the reporter."""


@dataclass(frozen=True)
class CleanPhoto:
    data: bytes
    width: int
    height: int
    content_type: str = "image/jpeg"


def clean_photo(raw: bytes) -> CleanPhoto:
    if len(raw) > settings.REPORT_MAX_PHOTO_BYTES:
        raise PhotoRejected(
            _("La photo dépasse %(size)s Mo.") % {"size": settings.REPORT_MAX_PHOTO_BYTES // (1024 * 1024)}
        )
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(io.BytesIO(raw), formats=_OPEN_ORDER) as probe:
                if probe.format not in ACCEPTED_FORMATS:
                    raise PhotoRejected(_("Seules les photos (JPEG, PNG, WebP) sont acceptées."))
                width, height = probe.size
                if width * height > settings.REPORT_MAX_PHOTO_PIXELS:
                    raise PhotoRejected(_("La photo est trop grande."))
                probe.seek(0)
                image = probe.copy() if probe.format != "JPEG" else probe
                image.load()
                # Apply the orientation before EXIF disappears, so the photo stays upright.
                image = ImageOps.exif_transpose(image) or image
                image = image.convert("RGB")
        except PhotoRejected:
            raise
        except (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise PhotoRejected(_("Ce fichier n'est pas une photo lisible.")) from exc
        except Exception as exc:
            # OSError, SyntaxError, NotImplementedError, MemoryError, struct.error...: a
            # plugin may raise anything on a crafted file; the resident gets a refusal.
            raise PhotoRejected(_("Ce fichier n'est pas une photo lisible.")) from exc
    image.thumbnail((settings.REPORT_PHOTO_MAX_SIDE, settings.REPORT_PHOTO_MAX_SIDE))
    # A brand-new image from raw pixels carries no metadata of the original at all.
    pristine = Image.frombytes("RGB", image.size, image.tobytes())
    out = io.BytesIO()
    pristine.save(out, format="JPEG", quality=80, optimize=True)
    return CleanPhoto(data=out.getvalue(), width=pristine.width, height=pristine.height)


def preview_of(clean_jpeg: bytes, side: int) -> bytes:
    """A small JPEG of a stored (already clean) photo, made in memory for the report page."""
    with Image.open(io.BytesIO(clean_jpeg), formats=["JPEG"]) as image:
        image.thumbnail((side, side))
        out = io.BytesIO()
        image.convert("RGB").save(out, format="JPEG", quality=70)
    return out.getvalue()
