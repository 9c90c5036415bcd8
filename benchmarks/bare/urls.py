"""One URL per webhook kind, the in-project baseline's path, so the same load (bytes and signature) fits both."""

from django.urls import path

from benchmarks.baseline.views import bare_insert, bare_insert_json

urlpatterns = [
    path("channels/bench-baseline/sms/", bare_insert),
    path("channels/bench-baseline/android/", bare_insert_json),
]
