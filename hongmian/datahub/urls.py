from django.urls import path

from hongmian.datahub import views, views_cdo, views_sharing

app_name = "datahub"

urlpatterns = [
    path("", views.catalogue, name="catalogue"),
    path("datasets/<str:code>/", views.dataset, name="dataset"),
    path("datasets/<str:code>/edit", views.dataset_edit, name="edit"),
    # Sharing (decision 0081).
    path("datasets/<str:code>/request", views_sharing.request_new, name="sharing_new"),
    path("sharing/mine/", views_sharing.mine, name="sharing_mine"),
    path("sharing/inbox/", views_sharing.inbox, name="sharing_inbox"),
    path("sharing/usage/", views_sharing.usage, name="sharing_usage"),
    path("sharing/requests/<int:id>/", views_sharing.detail, name="sharing_detail"),
    path("sharing/requests/<int:id>/approve", views_sharing.approve, name="sharing_approve"),
    path("sharing/requests/<int:id>/refuse", views_sharing.refuse, name="sharing_refuse"),
    path("sharing/requests/<int:id>/revoke", views_sharing.revoke, name="sharing_revoke"),
    # The chief data officers' pages and the asset registry (decision 0085).
    path("cdo/", views_cdo.cdo_home, name="cdo"),
    path("cdo/<str:code>/", views_cdo.cdo_unit, name="cdo_unit"),
    path("assets/", views_cdo.asset_list, name="assets"),
    path("assets/<int:id>/", views_cdo.asset_detail, name="asset"),
]
