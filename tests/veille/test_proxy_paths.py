"""One list of staff paths, the same in the settings, the README, the docs and the sample
nginx configuration, and none of it loaded by a reporter's page.

Everything outside the staff paths is a reporter's: network metadata is wiped there and
the proxy must keep no access log. A reporter page's stylesheet or script is fetched by
the reporter's own browser, so it is a reporter path too (a log of ``/static/`` is a log
of every web reporter's address, browser and time).
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings

from veille.privacy import is_reporter_path

ROOT = Path(__file__).resolve().parents[2]
STAFF_PATHS = ["/admin/", "/staff/", "/api/"]
REPORTER_PAGES = ["/", "/report/", "/report/status/", "/en/", "/en/report/", "/bm/report/status/"]


class _Urls(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in {"href", "src", "action", "data-src", "srcset"} and value:
                self.urls.append(value)


def test_the_staff_paths_are_the_documented_list():
    assert settings.VEILLE_STAFF_PATHS == STAFF_PATHS


@pytest.mark.django_db
@pytest.mark.parametrize("page", REPORTER_PAGES)
def test_nothing_a_reporter_page_loads_or_links_to_is_a_staff_path(client, gazetteer, page):
    response = client.get(page)
    assert response.status_code == 200
    parser = _Urls()
    parser.feed(response.content.decode())
    own = [url for url in parser.urls if url.startswith("/") and not url.startswith("//")]
    assert any(url.startswith(settings.STATIC_URL) for url in own), own  # the page does load static files
    for url in own:
        assert is_reporter_path(url), f"{page} loads {url}, which is treated (and may be logged) as staff"


@pytest.mark.django_db
def test_a_static_file_request_leaves_no_address_behind(client):
    """``/static/`` is wiped like any reporter path, and not left in the phone's cache."""
    from django.http import HttpResponse

    from veille.privacy import ReporterMetadataMiddleware

    seen: dict[str, str] = {}

    def view(request):
        seen.update(request.META)
        return HttpResponse("body{}", content_type="text/css")

    from django.test import RequestFactory

    request = RequestFactory().get(
        "/static/css/veille.css", REMOTE_ADDR="10.1.2.3", HTTP_USER_AGENT="Nokia", HTTP_X_FORWARDED_FOR="10.1.2.3"
    )
    response = ReporterMetadataMiddleware(view)(request)
    assert seen["REMOTE_ADDR"] == "0.0.0.0"
    assert seen["HTTP_USER_AGENT"] == ""
    assert seen["HTTP_X_FORWARDED_FOR"] == ""
    assert response["Cache-Control"] == "no-store, max-age=0"


# "outside `/admin/`, `/staff/` and `/api/`": how every document names the staff paths.
_OUTSIDE = re.compile(r"outside\s+((?:`/[a-z]*/?`(?:,\s*|\s+and\s+)?)+)")


@pytest.mark.parametrize("doc", ["README.md", "docs/operations.md", "docs/data-kept.md", "docs/threat-model.md"])
def test_every_document_names_the_same_staff_paths(doc):
    """Where a document says which paths may keep an access log, it names exactly these."""
    text = " ".join((ROOT / doc).read_text().split())
    lists = [re.findall(r"`(/[a-z]*/?)`", match.group(1)) for match in _OUTSIDE.finditer(text)]
    assert lists, f"{doc} should say outside which paths the access log is off"
    for paths in lists:
        assert sorted(paths) == sorted(STAFF_PATHS), f"{doc} names {paths}, not the staff paths {STAFF_PATHS}"


def _nginx_blocks(text: str) -> dict[str, str]:
    """The sample's ``location`` blocks by prefix, and its ``server`` level directives under
    the key "server" (both servers' top-level lines together)."""
    text = re.sub(r"#[^\n]*", "", text)
    blocks = {prefix: body for prefix, body in re.findall(r"location\s+(\S+)\s*\{([^}]*)\}", text)}
    blocks["server"] = re.sub(r"location\s+\S+\s*\{[^}]*\}", "", text)
    return blocks


def test_the_sample_nginx_configuration_logs_no_reporter_path():
    blocks = _nginx_blocks((ROOT / "docs" / "nginx.conf").read_text())
    # Off at the level every location inherits, in both servers.
    assert blocks["server"].count("access_log off;") == 2
    assert not re.search(r"access_log\s+(?!off)", blocks["server"])
    logged = sorted(prefix for prefix, body in blocks.items() if prefix != "server" and "access_log" in body)
    for prefix, body in blocks.items():
        if prefix == "server":
            continue
        if is_reporter_path(prefix):
            assert not re.search(r"access_log\s+(?!off)", body), f"location {prefix} logs reporters"
            # No forwarding header carries the reporter's address to the application.
            assert "$remote_addr" not in body and "$proxy_add_x_forwarded_for" not in body, prefix
    assert logged == sorted(STAFF_PATHS)
    assert "/" in blocks and "/static/" not in logged


def test_the_readme_points_at_the_sample_proxy_configuration():
    assert "docs/nginx.conf" in (ROOT / "README.md").read_text()
    assert "docs/nginx.conf" in (ROOT / "docs" / "operations.md").read_text()
