from django.urls import path

from alerts import views

app_name = "alerts"
urlpatterns = [
    path("", views.my_alerts, name="mine"),
    path("<int:alert_id>/step/", views.alert_step, name="step"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("forward/<int:report_id>/", views.forward, name="forward"),
]
