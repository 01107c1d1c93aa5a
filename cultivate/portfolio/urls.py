from django.urls import URLPattern, path

from . import delegation_views, team_views, views

app_name = "portfolio"
urlpatterns: list[URLPattern] = [
    # Portfolio, evidence, sign-off requests, assessments, notifications (views.py)
    path("portfolio/", views.my_portfolio, name="mine"),
    path("portfolio/competences/<int:pk>/", views.my_competence, name="competence"),
    path("portfolio/evidence/", views.evidence_list, name="evidence_list"),
    path("portfolio/evidence/new/", views.evidence_new, name="evidence_new"),
    path("portfolio/evidence/<int:pk>/", views.evidence_detail, name="evidence"),
    path("portfolio/evidence/<int:pk>/edit/", views.evidence_edit, name="evidence_edit"),
    path("portfolio/evidence/<int:pk>/competences/", views.evidence_links, name="evidence_links"),
    path("portfolio/evidence/<int:pk>/files/<int:file_pk>/", views.evidence_file, name="evidence_file"),
    path("portfolio/requests/new/", views.request_new, name="request_new"),
    path("portfolio/requests/<int:pk>/cancel/", views.request_cancel, name="request_cancel"),
    path("people/<int:pk>/portfolio/", views.person_portfolio, name="person"),
    path(
        "people/<int:person_pk>/portfolio/competences/<int:pk>/",
        views.person_competence,
        name="person_competence",
    ),
    path("assessments/", views.assessor_queue, name="queue"),
    path("assessments/requests/<int:pk>/", views.review, name="review"),
    path("assessments/<int:pk>/correct/", views.assessment_correct, name="assessment_correct"),
    path("assessments/<int:pk>/withdraw/", views.assessment_withdraw, name="assessment_withdraw"),
    # Team competence matrix and delegation register (team_views.py, delegation_views.py)
    path("teams/", team_views.team_list, name="team_list"),
    path("teams/<int:pk>/competence/", team_views.team_competence, name="team_competence"),
    path(
        "teams/<int:pk>/competence/export.<str:file_format>",
        team_views.team_competence_export,
        name="team_competence_export",
    ),
    path("teams/<int:pk>/delegation/", team_views.team_delegation, name="team_delegation"),
    path("delegation/protocols/", delegation_views.protocol_list, name="protocols"),
    path("delegation/protocols/new/", delegation_views.protocol_create, name="protocol_create"),
    path("delegation/protocols/<int:pk>/", delegation_views.protocol_detail, name="protocol"),
    path("delegation/protocols/<int:pk>/edit/", delegation_views.protocol_edit, name="protocol_edit"),
    path(
        "delegation/protocols/<int:pk>/requirements/add/",
        delegation_views.protocol_requirement_add,
        name="protocol_requirement_add",
    ),
    path(
        "delegation/protocols/<int:pk>/requirements/<int:requirement_pk>/remove/",
        delegation_views.protocol_requirement_remove,
        name="protocol_requirement_remove",
    ),
    path("delegation/check/", delegation_views.delegation_check, name="delegation_check"),
]
