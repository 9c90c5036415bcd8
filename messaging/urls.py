from django.urls import path

from messaging.providers import twilio

app_name = "messaging"
urlpatterns = [
    path("twilio/sms/", twilio.inbound_sms, name="twilio-sms"),
    path("twilio/status/", twilio.status_callback, name="twilio-status"),
]
