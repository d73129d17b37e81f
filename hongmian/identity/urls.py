from django.urls import path

from hongmian.identity import views

app_name = "identity"
urlpatterns = [
    path("file/", views.my_file, name="my_file"),
    path("file/verify", views.my_assurance_id_phone, name="my_assurance_id_phone"),
    path("file/face", views.my_assurance_face, name="my_assurance_face"),
    path("consents/", views.my_consents, name="my_consents"),
    path("consents/<int:consent_id>/revoke", views.my_consent_revoke, name="my_consent_revoke"),
    path("enterprises/<str:enterprise_id>/file/", views.enterprise_file, name="enterprise_file"),
]
