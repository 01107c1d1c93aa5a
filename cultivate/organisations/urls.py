from django.urls import path

from . import import_views, views

app_name = "organisations"
urlpatterns = [
    path("me/", views.my_record, name="me"),
    path("team/", views.my_team, name="my_team"),
    path("people/<int:pk>/", views.person_detail, name="person"),
    path("organisations/", views.organisations, name="organisations"),
    path("organisations/<str:ods_code>/", views.organisation_detail, name="organisation"),
    path("organisations/<str:ods_code>/staff/", views.staff_list, name="staff"),
    path("organisations/<str:ods_code>/import/", import_views.import_start, name="import"),
    path("organisations/<str:ods_code>/import/<int:pk>/", import_views.import_status, name="import_status"),
    path(
        "organisations/<str:ods_code>/import/<int:pk>/confirm/",
        import_views.import_confirm,
        name="import_confirm",
    ),
]
