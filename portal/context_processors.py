from django.conf import settings
from django.utils.functional import SimpleLazyObject


def site(request) -> dict:
    return {"SITE_NAME": settings.SITE_NAME}


def _navigation(user) -> dict:
    from projects.access import roles_for

    roles = roles_for(user)  # cached on the user for the request
    return {
        "my_work": bool(roles.projects or roles.regions),
        "programme": roles.programme is not None,
    }


def navigation(request) -> dict:
    """Which main-navigation links this user gets (lazy: no query unless a page shows them)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"nav": SimpleLazyObject(lambda: _navigation(user))}
