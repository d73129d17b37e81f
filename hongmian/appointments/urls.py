from django.urls import path

from hongmian.appointments import views, views_queue

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
    # The hall's line (check-in, tickets, windows, the call-up screen): views_queue.py.
    path("appointments/halls/<int:id>/desk/", views_queue.desk, name="queue_desk"),
    path("appointments/halls/<int:id>/desk/walk-in", views_queue.walk_in, name="queue_walk_in"),
    path(
        "appointments/halls/<int:id>/windows/<int:window_id>/",
        views_queue.console,
        name="window_console",
    ),
    path(
        "appointments/halls/<int:id>/windows/<int:window_id>/act",
        views_queue.console_act,
        name="window_act",
    ),
    path("appointments/halls/<int:id>/screen/", views_queue.screen, name="hall_screen"),
    path("appointments/halls/<int:id>/screen/key", views_queue.screen_key, name="screen_key"),
    path("appointments/halls/<int:id>/queue/stream", views_queue.stream, name="queue_stream"),
    path("appointments/halls/<int:id>/queue/", views_queue.live, name="queue_live"),
    path("appointments/halls/<int:id>/queue/stats/", views_queue.stats, name="queue_stats"),
]
