"""Public figures, mounted through i18n_patterns in veille/urls.py (alerts/ may read
both reports and alerts; reporting/ knows no alert, so they are not in reporting/urls.py)."""

from django.urls import path

from alerts import public_views

app_name = "transparency"
urlpatterns = [
    path("", public_views.transparency, name="page"),
    path("veille-transparence.csv", public_views.transparency_csv, name="csv"),
    path("veille-transparence.json", public_views.transparency_json, name="json"),
]
