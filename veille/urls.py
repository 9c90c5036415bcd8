import django.contrib.auth.admin  # noqa: F401  (admin modules, registered explicitly)
import django_otp.plugins.otp_totp.admin  # noqa: F401
from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

import api.admin  # noqa: F401
import focal_points.admin  # noqa: F401
import messaging.admin  # noqa: F401
import places.admin  # noqa: F401
import reporting.admin  # noqa: F401
from api import staff_views as api_staff_views
from focal_points.auth import VeilleAdminSite
from veille import health, metrics

# Every admin page needs a verified second factor; its login is the staff login.
admin.site.__class__ = VeilleAdminSite

urlpatterns = [
    # Probes and the scraper: fixed paths, no language prefix, no trailing slash.
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("metrics", metrics.metrics, name="metrics"),
    # Provider webhooks: fixed URLs, no language prefix (Twilio signs the exact URL).
    path("channels/", include("messaging.urls")),
    path("admin/", admin.site.urls),
    path("staff/api-tokens/", include("api.staff_urls")),
    path("staff/exports/", api_staff_views.partner_exports, name="partner_exports"),
    path("staff/", include("focal_points.urls")),
    path("staff/reports/", include("reporting.staff_urls")),
    path("staff/alerts/", include("alerts.urls")),
    path("api/", include("api.urls")),
]

# Public pages: French at /, English at /en/, Bambara at /bm/. The language lives in the
# URL, so reporting needs no cookie.
urlpatterns += i18n_patterns(
    path("", include("reporting.urls")),
    path("transparence/", include("alerts.public_urls")),
    prefix_default_language=False,
)

if settings.DEMO:
    urlpatterns += i18n_patterns(path("simulator/", include("demo.urls")), prefix_default_language=False)
