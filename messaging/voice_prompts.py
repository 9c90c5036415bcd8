"""The voice prompts, served by the platform itself to the voice providers (Twilio's
servers fetch what ``<Play>`` names) and to the phone simulator's ``<audio>``.

Recorded words only, the same for every caller: no secret, nothing about anyone, so they
are public and cached. A key that is not a file name, or a prompt the deployment lacks,
is a 404.
"""

from __future__ import annotations

import hashlib

from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseNotModified
from django.views.decorators.http import require_safe

from messaging.voice import prompt_path

CACHE_SECONDS = 24 * 3600


@require_safe
def prompt(request: HttpRequest, language: str, key: str) -> HttpResponse:
    path = prompt_path(language, key)
    if path is None:
        raise Http404("no such prompt")
    stat = path.stat()
    etag = '"' + hashlib.sha256(f"{stat.st_size}:{stat.st_mtime_ns}".encode()).hexdigest()[:32] + '"'
    if request.headers.get("If-None-Match") == etag:
        response: HttpResponse = HttpResponseNotModified()
    else:
        response = FileResponse(path.open("rb"), content_type="audio/wav")
    response["ETag"] = etag
    response["Cache-Control"] = f"public, max-age={CACHE_SECONDS}"
    response.public_cacheable = True  # type: ignore[attr-defined]  (veille.privacy keeps the header)
    return response
