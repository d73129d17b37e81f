from django.urls import path

from hongmian.portal import views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("preferences/elder-mode", views.elder_mode_update, name="elder_mode"),
]
