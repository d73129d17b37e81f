from django.urls import path

from hongmian.appointments import views

app_name = "appointments"
urlpatterns = [
    path("appointments/", views.book, name="book"),
    path("appointments/hold", views.hold, name="hold"),
    path("appointments/bookings/<int:id>/", views.booking_detail, name="booking"),
    path("appointments/bookings/<int:id>/confirm", views.confirm, name="confirm"),
    path("appointments/bookings/<int:id>/cancel", views.cancel, name="cancel"),
    path("appointments/halls/", views.halls, name="halls"),
    path("appointments/halls/<int:id>/day/", views.hall_day, name="hall_day"),
    path("me/appointments/", views.mine, name="mine"),
]
