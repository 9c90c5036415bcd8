"""Veille's URLs, plus the baseline view beside the webhook (same prefix, same middleware path)."""

from django.urls import path

from benchmarks.baseline.views import bare_insert
from veille.urls import urlpatterns as veille_urlpatterns

urlpatterns = [path("channels/bench-baseline/sms/", bare_insert), *veille_urlpatterns]
