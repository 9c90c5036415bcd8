from django.urls import path

from reporting import staff_views

app_name = "staff_reports"
urlpatterns = [
    path("", staff_views.inbox, name="inbox"),
    path("map/", staff_views.report_map, name="map"),
    path("trail/", staff_views.trail_index, name="trail_index"),
    path("trail/<int:member_id>/", staff_views.member_trail, name="trail"),
    path("<int:report_id>/", staff_views.report_detail, name="detail"),
    path("<int:report_id>/photos/<int:photo_id>/", staff_views.report_photo, name="photo"),
    path("<int:report_id>/clearance/<int:clearance_id>/", staff_views.clearance_decide, name="clearance_decide"),
    path("<int:report_id>/<slug:action>/", staff_views.report_action, name="action"),
]
