"""One URL pattern for every provider: /channels/<provider>/<action>/ for SMS providers
(and Twilio Voice at /channels/twilio/voice/), /channels/ussd/<provider>/ for USSD
gateways, and the voice prompts every voice provider plays at /channels/voice/prompts/."""

from django.conf import settings
from django.urls import include, path, re_path

from messaging import voice_prompts
from messaging.providers import KNOWN, provider
from messaging.ussd import refused

app_name = "messaging"
urlpatterns = [path(f"{name}/", include(provider(name).urls)) for name in KNOWN]
urlpatterns += [path("voice/prompts/<str:language>/<str:key>.wav", voice_prompts.prompt, name="voice-prompt")]
# USSD gateways: one pattern per provider, /channels/ussd/<provider>/ -> its folder's URLs.
urlpatterns += [path(f"ussd/{name}/", include(f"messaging.providers.{name}.urls")) for name in settings.USSD_PROVIDERS]
# Anything else under ussd/ (no secret, an unknown or disabled gateway, a stray path) gets
# the same bare 403 as a wrong secret: a 404 would tell a prober which gateways exist.
urlpatterns += [re_path(r"^ussd/", lambda request, *args, **kwargs: refused())]
