from django.contrib import admin

from hongmian.analytics.models import ReportIssue


@admin.register(ReportIssue)
class ReportIssueAdmin(admin.ModelAdmin[ReportIssue]):
    """Read-only: issues are made by `services.report_issue` (audited), never by hand."""

    list_display = ["title", "period_kind", "period_start", "status", "trigger", "generated_at"]
    list_filter = ["period_kind", "status", "trigger"]
    exclude = ["data"]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
