"""Hostile files through the web form: only the accepted formats' decoders are reachable,
and any failure inside a decoder is a plain refusal that keeps the resident's answers."""

from __future__ import annotations

import io
import struct

import pytest
from PIL import Image

from reporting import photos
from reporting.models import ReportPhoto
from tests.reporting.test_web_form import (
    URL,
    answers,
    assert_form_shown_again_with_answers,
    form_token,
    noise_jpeg,
    photo,
)

pytestmark = pytest.mark.django_db


def _dds(*, pfflags: int = 0, fourcc: bytes = b"\0\0\0\0", dxgi: int | None = None) -> bytes:
    """A DDS header such as Pillow's own ``unimplemented_*.dds`` test files: its plugin
    raises NotImplementedError on open, an exception the form never expected."""
    header = struct.pack("<3I", 0x1007, 4, 4) + b"\0" * (68 - 12)
    header += struct.pack("<4I", 32, pfflags, struct.unpack("<I", fourcc)[0], 0) + b"\0" * (120 - 84)
    data = b"DDS " + struct.pack("<I", 124) + header
    if dxgi is not None:
        data += struct.pack("<5I", dxgi, 3, 0, 1, 0)
    return data + b"\0" * 256


DDS_FILES = {
    "unimplemented_pfflags.dds": _dds(pfflags=0),
    "unimplemented_pixel_format.dds": _dds(pfflags=0x4, fourcc=b"ZZZZ"),
    "unimplemented_dxgi_format.dds": _dds(pfflags=0x4, fourcc=b"DX10", dxgi=999),
}


@pytest.mark.parametrize("name", list(DDS_FILES))
def test_the_crafted_files_really_break_pillows_dds_decoder(name):
    with pytest.raises(NotImplementedError):
        Image.open(io.BytesIO(DDS_FILES[name]))


@pytest.mark.parametrize("name", list(DDS_FILES))
def test_a_dds_file_is_refused_and_the_answers_kept(client, gazetteer, name):
    response = client.post(URL, answers(form_token(client), photos=[photo(name, DDS_FILES[name], "image/jpeg")]))

    assert f"« {name} »" in response.content.decode()
    assert_form_shown_again_with_answers(response, description="Des hommes armés au marché ce matin")
    assert ReportPhoto.objects.count() == 0


def test_only_the_accepted_formats_decoders_are_tried(monkeypatch):
    tried: list[object] = []
    real_open = Image.open

    def spy(fp, mode="r", formats=None):
        tried.append(formats)
        return real_open(fp, mode, formats)

    monkeypatch.setattr(Image, "open", spy)
    photos.clean_photo(noise_jpeg())

    assert tried and all(formats is not None for formats in tried)
    assert set(tried[0]) == photos.ACCEPTED_FORMATS


@pytest.mark.parametrize("error", [NotImplementedError("codec"), RuntimeError("decoder"), MemoryError(), KeyError("x")])
def test_any_failure_inside_an_accepted_decoder_is_a_refusal(client, gazetteer, monkeypatch, error):
    upload = photo("p.jpg", noise_jpeg())
    token = form_token(client)

    def broken_load(self, *args, **kwargs):
        raise error

    monkeypatch.setattr(Image.Image, "load", broken_load)
    monkeypatch.setattr("PIL.ImageFile.ImageFile.load", broken_load)

    response = client.post(URL, answers(token, photos=[upload]))

    assert "« p.jpg »" in response.content.decode()
    assert_form_shown_again_with_answers(response, description="Des hommes armés au marché ce matin")
