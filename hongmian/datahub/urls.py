from django.urls import path

from hongmian.datahub import views

app_name = "datahub"

urlpatterns = [
    path("", views.catalogue, name="catalogue"),
    path("datasets/<str:code>/", views.dataset, name="dataset"),
    path("datasets/<str:code>/edit", views.dataset_edit, name="edit"),
]
