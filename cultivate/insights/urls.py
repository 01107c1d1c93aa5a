from django.urls import URLPattern, path

from . import dashboard_views, import_views, report_views, review_views

app_name = "insights"
urlpatterns: list[URLPattern] = []

# Import, snapshot and job-title review
urlpatterns += [
    path("organisations/<str:ods_code>/import/", import_views.import_start, name="import"),
    path("organisations/<str:ods_code>/import/<int:pk>/", import_views.import_status, name="import_status"),
    path("organisations/<str:ods_code>/snapshot/", import_views.snapshot_start, name="snapshot"),
    path("organisations/<str:ods_code>/job-titles/", review_views.review_queue, name="review_queue"),
    path("organisations/<str:ods_code>/job-titles/roles/", review_views.review_roles, name="review_roles"),
    path(
        "organisations/<str:ods_code>/job-titles/<int:pk>/", review_views.review_decide, name="review_decide"
    ),
]

# Dashboards
urlpatterns += [
    path("", dashboard_views.index, name="index"),
    path("alliance/dashboards/<slug:dashboard>/", dashboard_views.alliance_dashboard, name="alliance"),
    path(
        "alliance/dashboards/<slug:dashboard>/<slug:table>.<slug:file_format>",
        dashboard_views.alliance_export,
        name="alliance_export",
    ),
    path("alliance/member-trusts/", dashboard_views.alliance_members, name="alliance_members"),
    path(
        "alliance/member-trusts/<slug:table>.<slug:file_format>",
        dashboard_views.alliance_members_export,
        name="alliance_members_export",
    ),
    path(
        "organisations/<str:ods_code>/dashboards/<slug:dashboard>/",
        dashboard_views.organisation_dashboard,
        name="organisation",
    ),
    path(
        "organisations/<str:ods_code>/dashboards/<slug:dashboard>/<slug:table>.<slug:file_format>",
        dashboard_views.organisation_export,
        name="organisation_export",
    ),
    path("teams/<int:team_id>/dashboards/<slug:dashboard>/", dashboard_views.team_dashboard, name="team"),
    path(
        "teams/<int:team_id>/dashboards/<slug:dashboard>/<slug:table>.<slug:file_format>",
        dashboard_views.team_export,
        name="team_export",
    ),
]

# Board report
urlpatterns += [
    path("report/", report_views.board_report, name="board_report"),
    path("report/<int:pk>/", report_views.board_report_status, name="board_report_status"),
    path("report/<int:pk>/download/", report_views.board_report_download, name="board_report_download"),
]
