from django.urls import path

from messaging.providers.android import webhook

urlpatterns = [path("webhook/", webhook.receive, name="android-webhook")]
