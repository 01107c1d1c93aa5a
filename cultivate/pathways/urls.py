from django.urls import URLPattern, path

from . import views

app_name = "pathways"
urlpatterns: list[URLPattern] = [
    path("", views.pathway_list, name="list"),
    path("new/", views.pathway_create, name="pathway_create"),
    path("<int:pk>/", views.pathway_detail, name="pathway"),
    path("<int:pk>/steps/new/", views.step_new, name="step_new"),
    path("<int:pk>/steps/<int:step_pk>/edit/", views.step_edit, name="step_edit"),
    path(
        "<int:pk>/steps/<int:step_pk>/requirements/new/",
        views.requirement_new,
        name="requirement_new",
    ),
    path(
        "<int:pk>/steps/<int:step_pk>/requirements/<int:requirement_pk>/edit/",
        views.requirement_edit,
        name="requirement_edit",
    ),
    path("me/", views.mine, name="mine"),
    path("people/<int:pk>/", views.person_record, name="person"),
    path("people/<int:pk>/steps/<int:step_pk>/", views.person_step, name="person_step"),
    path("people/<int:pk>/qualifications/new/", views.qualification_new, name="qualification_new"),
    path("people/<int:pk>/skills/new/", views.skills_new, name="skills_new"),
    path("people/<int:pk>/support/", views.support_give, name="support"),
    path("people/<int:pk>/apprenticeships/new/", views.apprenticeship_new, name="apprenticeship_new"),
    path("qualifications/<int:pk>/confirm/", views.qualification_confirm, name="qualification_confirm"),
    path("qualifications/<int:pk>/edit/", views.qualification_edit, name="qualification_edit"),
    path("qualifications/<int:pk>/supersede/", views.qualification_supersede, name="qualification_supersede"),
    path("apprenticeships/<int:pk>/", views.apprenticeship_detail, name="apprenticeship"),
    path("apprenticeships/<int:pk>/epa/", views.apprenticeship_epa, name="apprenticeship_epa"),
    path(
        "organisations/<str:ods_code>/readiness/",
        views.organisation_readiness,
        name="organisation_readiness",
    ),
    path(
        "organisations/<str:ods_code>/progression/",
        views.organisation_progression,
        name="organisation_progression",
    ),
    path(
        "organisations/<str:ods_code>/progression.xlsx",
        views.organisation_progression_xlsx,
        name="organisation_progression_xlsx",
    ),
    path(
        "organisations/<str:ods_code>/apprenticeships/",
        views.organisation_apprenticeships,
        name="organisation_apprenticeships",
    ),
    # Public: no sign-in, nothing personal.
    path("routes/<str:ods_code>/", views.public_routes, name="public_routes"),
]
