"""The hotline's pages under /hotline/ (see views/__init__.py for who uses which). The insights
app's pages share the prefix (hongmian/insights/urls.py, mounted by config/urls.py)."""

from django.urls import path

from hongmian.hotline import views
from hongmian.hotline.views import (
    approvals,
    attachments,
    board,
    citizen,
    console,
    handlers,
    inbox,
    lists,
    order,
)

app_name = "hotline"
urlpatterns = [
    path("", views.index, name="index"),
    # 坐席工作台
    path("console/", console.console, name="console"),
    path("console/history", console.caller_history, name="console_history"),
    path("console/address", console.address_preview, name="console_address"),
    path("console/suggest", console.suggestion, name="console_suggest"),
    path("console/categories", console.categories, name="console_categories"),
    path("console/knowledge", console.knowledge_search, name="console_knowledge"),
    path("console/duplicates", console.draft_duplicates, name="console_duplicates"),
    path("console/<int:pk>/dispatch", console.intake_dispatch, name="intake_dispatch"),
    path("search/", console.search, name="search"),
    # 承办单位待办
    path("inbox/", inbox.inbox, name="inbox"),
    # 本单位负责人审批
    path("approvals/", approvals.approvals, name="approvals"),
    path("approvals/settings", approvals.policy, name="approvals_settings"),
    path("orders/<int:pk>/sign-off/decide", approvals.decide, name="sign_off_decide"),
    path("orders/<int:pk>/sign-off/withdraw", approvals.withdraw, name="sign_off_withdraw"),
    # 督办台
    path("board/", board.board, name="board"),
    path("board/callbacks/", board.callbacks, name="callbacks"),
    path("board/merge", board.merge, name="merge"),
    # The order page and the acts on it; each act's URL name is its panel's key.
    path("orders/<int:pk>/", order.order_detail, name="order"),
    path("orders/<int:pk>/acknowledge", inbox.acknowledge, name="acknowledge"),
    path("orders/<int:pk>/progress", inbox.progress, name="progress"),
    path("orders/<int:pk>/reply", inbox.reply, name="reply"),
    path("orders/<int:pk>/co-reply", inbox.co_reply, name="co_reply"),
    path("orders/<int:pk>/return", inbox.return_request, name="return_request"),
    path("orders/<int:pk>/extension", inbox.extension_request, name="extension_request"),
    path("orders/<int:pk>/subdispatch", inbox.subdispatch, name="subdispatch"),
    # 经办人 and saved views of the queues (hotline/queues.py)
    path("orders/<int:pk>/handler", handlers.assign_handler, name="assign_handler"),
    path("views/", lists.saved_view_create, name="saved_view_create"),
    path("views/delete", lists.saved_view_delete, name="saved_view_delete"),
    path("orders/<int:pk>/dispatch", board.dispatch, name="dispatch"),
    path("orders/<int:pk>/direct-answer", board.direct_answer, name="direct_answer"),
    path("orders/<int:pk>/return-review", board.return_review, name="return_review"),
    path("orders/<int:pk>/joint-meeting", board.joint_meeting, name="joint_meeting"),
    path(
        "orders/<int:pk>/extensions/<int:extension_pk>/decide",
        board.extension_decide,
        name="extension_decide",
    ),
    path("orders/<int:pk>/callback", board.callback, name="callback"),
    path("orders/<int:pk>/callback-review", board.callback_review, name="callback_review"),
    path("orders/<int:pk>/supervise", board.supervise, name="supervise"),
    # 附件: added on the order page; served only through the reader's check (never storage URLs)
    path("orders/<int:pk>/attach", attachments.attach, name="attach"),
    path("attachments/<str:key>", attachments.download, name="attachment"),
    path("attachments/<str:key>/thumbnail", attachments.thumbnail, name="attachment_thumbnail"),
    # 市民
    path("submit/", citizen.submit, name="submit"),
    path("submit/done", citizen.submitted, name="submitted"),
    path("track/", citizen.track, name="track"),
    path("track/rate", citizen.rate, name="rate"),
    path("mine/", citizen.mine, name="mine"),
    path("mine/<int:pk>/", citizen.mine_order, name="mine_order"),
    path("mine/<int:pk>/attach", citizen.mine_attach, name="mine_attach"),
]
