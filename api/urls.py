from django.urls import path
from drf_spectacular.views import SpectacularAPIView

from api import views
from api.authentication import ScopePermission

app_name = "api"
urlpatterns = [
    path("v1/reports/", views.ReportList.as_view(), name="reports"),
    path("v1/reports/<int:report_id>/", views.ReportDetail.as_view(), name="report"),
    *[
        path(f"v1/reports/<int:report_id>/{name}/", views._action_view(name), name=f"report_{name}")
        for name in views.ACTIONS
    ],
    path("v1/alerts/", views.AlertList.as_view(), name="alerts"),
    path("v1/alerts/<int:alert_id>/step/", views.AlertStep.as_view(), name="alert_step"),
    path("v1/response-times/", views.ResponseTimes.as_view(), name="response_times"),
    path("v1/places/", views.PlaceList.as_view(), name="places"),
    # The schema, for staff and their tools only; the docs page renders it server-side.
    path("v1/schema/", SpectacularAPIView.as_view(permission_classes=[ScopePermission]), name="schema"),
    path("v1/docs/", views.docs, name="docs"),
]
