from django.urls import path

from hongmian.datahub import views, views_cdo

app_name = "datahub"

urlpatterns = [
    path("", views.catalogue, name="catalogue"),
    path("datasets/<str:code>/", views.dataset, name="dataset"),
    path("datasets/<str:code>/edit", views.dataset_edit, name="edit"),
    # The chief data officers' pages and the asset registry (decision 0085).
    path("cdo/", views_cdo.cdo_home, name="cdo"),
    path("cdo/<str:code>/", views_cdo.cdo_unit, name="cdo_unit"),
    path("assets/", views_cdo.asset_list, name="assets"),
    path("assets/<int:id>/", views_cdo.asset_detail, name="asset"),
]
