"""Veille's URLs, plus the baseline view beside the webhook (same prefix, same middleware path)."""

from django.urls import path

from benchmarks.baseline.views import bare_insert, bare_insert_json, bare_insert_notify
from veille.urls import urlpatterns as veille_urlpatterns

urlpatterns = [
    path("channels/bench-baseline/sms/", bare_insert),
    path("channels/bench-baseline/notify/", bare_insert_notify),
    path("channels/bench-baseline/android/", bare_insert_json),
    *veille_urlpatterns,
]
