"""Issuing and revoking the API tokens of THL's analytics (one token per user, DRF authtoken)."""

from __future__ import annotations

from django.db import transaction
from rest_framework.authtoken.models import Token


@transaction.atomic
def api_token_issue(*, user, rotate: bool = False) -> Token:
    """The user's token, created if missing; `rotate` replaces an existing one (old one dies)."""
    if rotate:
        Token.objects.filter(user=user).delete()
    token, _created = Token.objects.get_or_create(user=user)
    return token


def api_token_revoke(*, user) -> bool:
    deleted, _ = Token.objects.filter(user=user).delete()
    return bool(deleted)
