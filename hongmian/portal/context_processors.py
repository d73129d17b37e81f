"""Values every page of the shell needs."""

from django.http import HttpRequest


def shell(request: HttpRequest) -> dict[str, object]:
    user = getattr(request, "user", None)
    elder = bool(getattr(user, "elder_mode", False)) or request.session.get("elder_mode", False)
    return {"elder_mode": elder}
