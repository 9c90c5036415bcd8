from django.urls import path

from reporting.ussd import views

app_name = "ussd"
urlpatterns = [path("<slug:gateway>/", views.ussd_callback, name="callback")]
