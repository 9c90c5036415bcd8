from django.urls import path

from alerts import views

app_name = "alerts"
urlpatterns = [path("forward/<int:report_id>/", views.forward, name="forward")]
