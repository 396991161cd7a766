"""`python manage.py api_token <username> [--rotate | --revoke]`: the user's open data API token.

The token sees exactly what the user sees in the portal (their roles); give THL's analytics
a user with the ministry/THL viewer role. Call with `Authorization: Token <key>`.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.core.management.base import CommandError

from reporting.api.services import api_token_issue
from reporting.api.services import api_token_revoke


class Command(BaseCommand):
    help = "Print a user's open data API token, creating it if needed (--rotate: a new one)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("username")
        group = parser.add_mutually_exclusive_group()
        group.add_argument("--rotate", action="store_true", help="replace the existing token")
        group.add_argument("--revoke", action="store_true", help="delete the token")

    def handle(self, *args, username: str, rotate: bool, revoke: bool, **options) -> None:
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user {username!r}.")
        if revoke:
            revoked = api_token_revoke(user=user)
            self.stdout.write("Token revoked." if revoked else "The user had no token.")
            return
        if not user.is_active:
            raise CommandError(f"User {username!r} is not active; an API token would not work.")
        self.stdout.write(api_token_issue(user=user, rotate=rotate).key)
