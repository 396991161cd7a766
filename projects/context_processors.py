"""The main navigation's links depend on the user's roles, which are this app's."""

from django.utils.functional import SimpleLazyObject

from .access import roles_for


def _navigation(user) -> dict:
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
