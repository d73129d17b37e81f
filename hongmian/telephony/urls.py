"""The telephony pages under /telephony/ (the webhooks are in api.py, under /api/telephony/)."""

from django.urls import path

from hongmian.telephony import views

app_name = "telephony"
urlpatterns = [
    path("pops/stream", views.pops_stream, name="pops_stream"),
    path("missed/", views.missed, name="missed"),
    path("missed/<int:pk>/outcome", views.missed_outcome, name="missed_outcome"),
    path("orders/<int:pk>/panel", views.order_panel, name="order_panel"),
]
