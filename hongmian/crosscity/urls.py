from django.urls import path

from hongmian.crosscity import views

app_name = "crosscity"
urlpatterns = [
    path("me/applications/<int:pk>/crosscity/send", views.send, name="send"),
]
