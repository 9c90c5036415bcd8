"""One URL pattern for every provider: /channels/<provider>/<action>/."""

from django.urls import include, path

from messaging.providers import KNOWN, provider

app_name = "messaging"
urlpatterns = [path(f"{name}/", include(provider(name).urls)) for name in KNOWN]
