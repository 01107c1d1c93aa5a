from django.urls import URLPattern, path

from . import completion_views, import_views, support_urls, views
from .plans import urls as plan_urls

app_name = "learning"
urlpatterns: list[URLPattern] = [
    path("", views.my_learning, name="mine"),
    path("offers/", views.catalogue, name="catalogue"),
    path("offers/new/", views.offer_new, name="offer_new"),
    path("offers/<int:pk>/", views.offer_detail, name="offer"),
    path("offers/<int:pk>/sessions/new/", views.session_new, name="session_new"),
    path("offers/<int:pk>/competences/", views.offer_develops, name="develops"),
    path("sessions/<int:pk>/", views.session_detail, name="session"),
    path("sessions/<int:pk>/enrol/", views.session_enrol, name="enrol"),
    path("sessions/<int:pk>/book/", views.session_book, name="book"),
    path("sessions/<int:pk>/attendance/", views.attendance, name="attendance"),
    path("requests/", views.requests, name="requests"),
    path("enrolments/<int:pk>/decide/", views.enrolment_decide, name="decide"),
    path("enrolments/<int:pk>/withdraw/", views.enrolment_withdraw, name="withdraw"),
    path("enrolments/<int:pk>/complete/", views.enrolment_complete, name="complete"),
    path("completions/<int:pk>/", completion_views.completion_detail, name="completion"),
    path("completions/<int:pk>/evaluate/", views.evaluate, name="evaluate"),
    path("people/<int:pk>/", views.person_learning, name="person"),
    path("teams/", views.team_list, name="teams"),
    path("teams/<int:pk>/", views.team_learning, name="team"),
    path("organisations/<str:ods_code>/compliance/", views.compliance_page, name="compliance"),
    path("organisations/<str:ods_code>/mandatory/", views.mandatory, name="mandatory"),
    path("organisations/<str:ods_code>/gaps/", views.organisation_gaps, name="gaps"),
    path("organisations/<str:ods_code>/gaps.xlsx", views.organisation_gaps_xlsx, name="gaps_xlsx"),
    path("subjects/<int:pk>/", views.subject_edit, name="subject"),
    path("organisations/<str:ods_code>/reports/", views.reports_page, name="reports"),
    path("organisations/<str:ods_code>/import/", import_views.import_start, name="import"),
    path("organisations/<str:ods_code>/import/<int:pk>/", import_views.import_status, name="import_status"),
    *plan_urls.urlpatterns,
    *support_urls.urlpatterns,
]
