from django.urls import path

from hongmian.citycode import views

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
]
