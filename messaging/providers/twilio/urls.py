from django.urls import path

from messaging.providers.twilio import voice, webhook

urlpatterns = [
    path("sms/", webhook.inbound_sms, name="twilio-sms"),
    path("status/", webhook.status_callback, name="twilio-status"),
    # Voice calls (VOICE_PROVIDERS): answered 404 unless "twilio" is listed there.
    path("voice/", voice.voice_webhook, name="twilio-voice"),
    path("voice/status/", voice.voice_status, name="twilio-voice-status"),
]
