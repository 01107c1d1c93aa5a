from django.urls import URLPattern, path

from . import cohort_views, outcome_views, participant_views, views

app_name = "programmes"
urlpatterns: list[URLPattern] = [
    path("", views.index, name="index"),
    path("new/", views.create, name="create"),
    path("mine/", participant_views.mine, name="mine"),
    path("<int:pk>/", views.programme, name="programme"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/dimensions/", views.dimensions, name="dimensions"),
    path("<int:pk>/leads/", views.leads, name="leads"),
    path("<int:pk>/competences/", views.competences, name="competences"),
    path("<int:pk>/status/", views.status, name="status"),
    path("<int:pk>/copy/", views.copy, name="copy"),
    path("<int:pk>/cohorts/new/", views.cohort_new, name="cohort_new"),
    path("<int:pk>/sessions/new/", views.session_new, name="session_new"),
    path("<int:pk>/applications/", views.applications, name="applications"),
    path("<int:pk>/apply/", views.apply, name="apply"),
    path("<int:pk>/nominate/", views.nominate, name="nominate"),
    path("<int:pk>/allocation/", views.allocation, name="allocation"),
    path("applications/<int:pk>/", views.application, name="application"),
    path("participants/<int:pk>/placement/", views.placement, name="placement"),
    path("cohorts/<int:pk>/", cohort_views.cohort, name="cohort"),
    path("cohorts/<int:pk>/partners/", cohort_views.partners, name="partners"),
    path("cohorts/<int:pk>/sessions/<int:session_pk>/register/", cohort_views.register, name="register"),
    path("cohorts/<int:pk>/close/", cohort_views.close, name="close"),
    path("cohorts/<int:pk>/community/", cohort_views.community, name="community"),
    path("posts/<int:pk>/hide/", cohort_views.post_hide, name="post_hide"),
    path("places/<int:pk>/check-in/", participant_views.check_in, name="check_in"),
    path(
        "places/<int:pk>/self-assessment/<str:stage>/",
        participant_views.self_assessment,
        name="self_assessment",
    ),
    path(
        "places/<int:pk>/sessions/<int:session_pk>/evaluation/",
        participant_views.evaluation,
        name="evaluation",
    ),
    path("places/<int:pk>/feedback/", participant_views.feedback, name="feedback"),
    # The outcomes report (helper "alloc")
    path("<int:pk>/outcomes/", outcome_views.programme_outcomes, name="outcomes"),
    path("cohorts/<int:pk>/outcomes/", outcome_views.cohort_outcomes, name="cohort_outcomes"),
]
