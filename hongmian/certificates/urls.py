from django.urls import path

from hongmian.certificates import views

app_name = "certificates"
urlpatterns = [
    # 我的证照: the holder's wallet, in the portal's /me/ space.
    path("me/certificates/", views.mine, name="mine"),
    path("me/certificates/<uuid:cert_id>/", views.detail, name="detail"),
    path("me/certificates/<uuid:cert_id>/qr.svg", views.qr, name="qr"),
    path("me/certificates/<uuid:cert_id>/download", views.download, name="download"),
    # 核验电子证照: public.
    path("certificates/verify/", views.verify, name="verify"),
]
