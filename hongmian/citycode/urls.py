from django.urls import path

from hongmian.citycode import views, views_collective, views_hall

app_name = "citycode"
urlpatterns = [
    # 我的红棉码: the person's code, in the portal's /me/ space.
    path("me/citycode/", views.mine, name="mine"),
    path("me/citycode/qr", views.qr, name="qr"),
    path("me/citycode/share", views.share, name="share"),
    path("me/citycode/reissue", views.reissue, name="reissue"),
    # Staff: the terminal registry and scan logs, attributes for authorised units.
    path("citycode/terminals/", views.terminals, name="terminals"),
    path("citycode/terminals/<int:terminal_id>/", views.terminal_detail, name="terminal"),
    path("citycode/attributes/", views.attributes, name="attributes"),
    path("citycode/attributes/clear", views.attribute_clear_view, name="attribute_clear"),
    # 集体码 and 码上办 (decision 0079): the organisation's code, the person's answers, and
    # the hall desk opened from a scan.
    path("citycode/collectives/", views_collective.collectives, name="collectives"),
    path(
        "citycode/collectives/<int:collective_id>/",
        views_collective.collective,
        name="collective",
    ),
    path(
        "citycode/collectives/<int:collective_id>/qr",
        views_collective.collective_qr,
        name="collective_qr",
    ),
    path(
        "citycode/collectives/<int:collective_id>/invite",
        views_collective.collective_invite,
        name="collective_invite",
    ),
    path(
        "me/citycode/collective/<int:member_id>/accept",
        views_collective.member_accept,
        name="member_accept",
    ),
    path(
        "me/citycode/collective/<int:member_id>/decline",
        views_collective.member_decline,
        name="member_decline",
    ),
    path(
        "me/citycode/collective/<int:member_id>/leave",
        views_collective.member_leave,
        name="member_leave",
    ),
    path("citycode/desk/scans/<int:scan_id>/", views_hall.desk, name="desk"),
]
