"""The plan and supervision pages, part of the learning app's URLs (`learning:plan`, ...)."""

from django.urls import URLPattern, path

from . import views

urlpatterns: list[URLPattern] = [
    path("plan/", views.my_plan, name="plan"),
    path("plan/dates/", views.plan_edit, name="plan_edit"),
    path("plan/goals/new/", views.goal_new, name="goal_new"),
    path("plan/goals/<int:pk>/", views.goal_edit, name="goal_edit"),
    path("plan/goals/<int:pk>/remove/", views.goal_remove, name="goal_remove"),
    path("plan/send/", views.plan_propose, name="plan_propose"),
    path("people/<int:pk>/plan/", views.person_plan, name="plan_person"),
    path("people/<int:pk>/supervision/", views.person_supervision, name="supervision_person"),
    path("people/<int:pk>/supervision/new/", views.meeting_new, name="meeting_new"),
    path("supervision/", views.supervision, name="supervision"),
    path(
        "organisations/<str:ods_code>/supervision/",
        views.organisation_supervision,
        name="supervision_figures",
    ),
]
