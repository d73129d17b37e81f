"""Admin pages of the knowledge base: read-only. Articles are written through the services
(the API, the import command), so that every change is versioned, reviewed and audited."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from hongmian.knowledge.models import Article, ArticleUsage, ArticleVersion


class _ReadOnly(admin.ModelAdmin):  # type: ignore[type-arg]
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ArticleVersionInline(admin.TabularInline):  # type: ignore[type-arg]
    model = ArticleVersion
    fields = ("number", "state", "title", "submitted_at", "reviewed_at", "published_at")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Article)
class ArticleAdmin(_ReadOnly):
    list_display = ("title", "owning_unit", "status", "audience", "revision", "valid_until")
    list_filter = ("status", "audience")
    search_fields = ("title", "external_id")
    list_select_related = ("owning_unit",)
    inlines = (ArticleVersionInline,)


@admin.register(ArticleUsage)
class ArticleUsageAdmin(_ReadOnly):
    list_display = ("used_at", "order_ref", "article", "revision", "used_by")
    list_select_related = ("article", "used_by")
    search_fields = ("order_ref",)
