from django.urls import path

from alerts import community_views, views

app_name = "alerts"
urlpatterns = [
    path("", views.my_alerts, name="mine"),
    path("<int:alert_id>/step/", views.alert_step, name="step"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("forward/<int:report_id>/", views.forward, name="forward"),
    path("community/", community_views.community_alerts, name="community"),
    path("community/<int:alert_id>/decide/", community_views.community_alert_decide, name="community_decide"),
]
