"""Included by messaging/urls.py at /channels/ussd/africastalking/."""

from django.urls import path

from messaging.providers.africastalking import views

app_name = "africastalking"
urlpatterns = [path("<str:secret>/", views.ussd_callback, name="ussd")]
