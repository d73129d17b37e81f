"""The insights app's pages. config/urls.py mounts them under /hotline/, beside the hotline's
own, so that every page keeps the path it had before the app moved out (decision 0024)."""

from django.urls import path

from hongmian.insights.views import board, console

app_name = "insights"
urlpatterns = [
    # 坐席工作台: the classifier slot
    path("console/ml-suggest", console.ml_suggestions, name="console_ml_suggestions"),
    path("console/ml-adopt", console.ml_adopt, name="console_ml_adopt"),
    # 热点诉求与预警, 疑似重复
    path("board/hotspots/", board.hotspot_list, name="hotspots"),
    path(
        "board/hotspots/alerts/<int:pk>/acknowledge",
        board.alert_acknowledge,
        name="hotspot_alert_acknowledge",
    ),
    path("orders/<int:pk>/duplicates", board.order_duplicates, name="order_duplicates"),
]
