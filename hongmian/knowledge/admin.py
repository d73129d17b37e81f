"""Admin pages of the knowledge base: read-only. Articles are written through the services
(the API, the import command), so that every change is versioned, reviewed and audited;
search rankings through `hongmian knowledge learn` and the weekly job (services.ranking)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from hongmian.knowledge.models import Article, ArticleUsage, ArticleVersion, SearchRanking


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


@admin.register(SearchRanking)
class SearchRankingAdmin(_ReadOnly):
    list_display = ("version", "is_active", "source", "pairs", "activated_at", "created_at")
    list_filter = ("is_active",)
    # The artefact is bytes: its checksum says which file it is.
    exclude = ("artefact",)
    readonly_fields = (
        "version",
        "is_active",
        "activated_at",
        "source",
        "pairs",
        "fingerprint",
        "artefact_sha256",
        "info",
        "created_by",
    )
