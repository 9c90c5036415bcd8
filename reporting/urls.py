"""Public pages, mounted through i18n_patterns: /report/ in French, /en/report/ and
/bm/report/ in English and Bambara."""

from django.urls import path

from reporting import views

app_name = "reporting"
urlpatterns = [
    path("", views.home, name="home"),
    path("report/", views.report_form, name="report"),
    path("report/status/", views.report_status, name="status"),
]
