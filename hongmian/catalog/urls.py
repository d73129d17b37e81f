from django.urls import path

from hongmian.catalog import views

app_name = "catalog"
urlpatterns = [
    path("", views.services, name="services"),
    path("items/<str:code>/", views.item_detail, name="item"),
    path("life-events/<slug:slug>/", views.life_event_detail, name="life_event"),
]
