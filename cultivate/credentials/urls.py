from django.urls import URLPattern, path

from . import views

app_name = "credentials"
urlpatterns: list[URLPattern] = [
    # The holder
    path("", views.mine, name="mine"),
    path("<uuid:identifier>/", views.credential_detail, name="credential"),
    path("<uuid:identifier>/share/", views.credential_share, name="share"),
    path("<uuid:identifier>/credential.json", views.credential_download, name="download"),
    path("<uuid:identifier>/certificate.pdf", views.credential_pdf, name="pdf"),
    path("records/new/", views.record_new, name="record_new"),
    path("care-certificate/", views.care_certificate, name="care_certificate"),
    path("records/<uuid:token>/share/", views.record_share, name="record_share"),
    path("records/<uuid:token>/record.json", views.record_download, name="record_download"),
    path("bring/", views.record_bring, name="bring"),
    path("brought/<int:pk>/", views.brought, name="brought"),
    # Anyone, without signing in
    path("verify/<uuid:identifier>/", views.verify, name="verify"),
    path("verify/<uuid:identifier>/credential.json", views.verify_json, name="verify_json"),
    path("shared/<uuid:token>/", views.shared_record, name="shared_record"),
    path("shared/<uuid:token>/record.json", views.shared_record_json, name="shared_record_json"),
    path("status/<str:public_key>/", views.status_list, name="status_list"),
    path("check/", views.check, name="check"),
    # Assessors
    path("recognition/", views.recognitions, name="recognitions"),
    path("recognition/<int:pk>/confirm/", views.recognition_confirm, name="recognition_confirm"),
    # Issuer admins
    path("issued/", views.issued, name="issued"),
    path("issued/rotate/", views.rotate, name="rotate"),
    path("<uuid:identifier>/revoke/", views.revoke, name="revoke"),
]
