from django.urls import path

from hongmian.opscentre import views

app_name = "opscentre"

urlpatterns = [
    path("screen/", views.screen, name="screen"),
    path("screen/stream/", views.stream, name="stream"),
    path("villages/", views.villages, name="villages"),
]
