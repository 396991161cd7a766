"""Password reset that also works for people a project manager has just invited.

Invited people get an account without a usable password; Django's stock reset form skips
such accounts, so they could never set one. Deactivated accounts are still skipped.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.forms import PasswordResetForm


class InvitationAwarePasswordResetForm(PasswordResetForm):
    def get_users(self, email: str):
        model = get_user_model()
        field = model.get_email_field_name()
        users = model._default_manager.filter(**{f"{field}__iexact": email, "is_active": True})
        return (user for user in users if getattr(user, field).casefold() == email.casefold())
