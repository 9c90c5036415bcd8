from django.urls import path

from messaging.providers.twilio import webhook

urlpatterns = [
    path("sms/", webhook.inbound_sms, name="twilio-sms"),
    path("status/", webhook.status_callback, name="twilio-status"),
]
