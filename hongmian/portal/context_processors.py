"""Values every page of the shell needs."""

from django.http import HttpRequest

from hongmian.portal.preferences import elder_mode_for


def shell(request: HttpRequest) -> dict[str, object]:
    return {"elder_mode": elder_mode_for(request)}
