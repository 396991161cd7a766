"""E-mail of the portal, whatever it is about: each person's mail preferences, the digest's
one-click unsubscribe link, and sending an e-mail at most once.

Contract:
- `preferences_get/save`, `unsubscribe_token/unsubscribe_user`, `digest_unsubscribe`: the
  person's own settings (UserPreferences); the signed link is the unsubscribe permission.
- `send_once(reason_key=, kind=, user=, build=, report=)` sends one e-mail in the
  recipient's language unless its reason key was claimed already, and logs it in SentMail.

Never twice: at-most-once. Before sending, the e-mail's reason key is claimed by inserting
its `SentMail` row (unique key) in its own committed transaction; a second or concurrent
run finds the row and skips. After sending the row becomes SENT. A send that raises
(SMTP refused, network) marks the row FAILED, and the next run claims it again with a
conditional UPDATE (FAILED → PENDING), so a failure is retried without ever duplicating.
A process that dies *between* the claim and the send leaves the row PENDING: it is not
sent again automatically, because we cannot know whether the mail left (the SMTP server
may have accepted it just before the crash). A reminder missed is shown in the admin's
sent-mail list as "Sending"; a reminder sent twice cannot be taken back. The programme
office can delete such a row in the shell to have it sent on the next run.

What is mailed, and to whom, is decided above: reporting/notifications/.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils import translation

from .history_rows import history_save
from .models import SentMail
from .models import SentMailStatus
from .models import UserPreferences

logger = logging.getLogger(__name__)

UNSUBSCRIBE_SALT = "portal.digest-unsubscribe"


@dataclass
class SendReport:
    sent: int = 0
    skipped: int = 0  # already sent (or being sent) for the same reason
    failed: int = 0

    def as_dict(self) -> dict[str, int]:
        return {"sent": self.sent, "skipped": self.skipped, "failed": self.failed}


# --- Preferences -------------------------------------------------------------------------


def preferences_get(*, user) -> UserPreferences:
    """The user's preferences; an unsaved row with the defaults when they never chose."""
    prefs = UserPreferences.objects.filter(user=user).first()
    return prefs or UserPreferences(user=user)


@transaction.atomic
def preferences_save(*, actor, user, language: str, digest_enabled: bool) -> UserPreferences:
    """Save a person's own preferences. Permission: only the person themselves.

    Side effect: a history row with the actor. Idempotent."""
    if actor is not None and actor.pk != user.pk:
        raise PermissionDenied
    prefs, _created = UserPreferences.objects.get_or_create(user=user)
    prefs.language, prefs.digest_enabled = language, digest_enabled
    history_save(prefs, actor=actor)
    return prefs


def unsubscribe_token(user) -> str:
    """A signed token naming the user, for the one-click unsubscribe link of the digest."""
    return signing.dumps(user.pk, salt=UNSUBSCRIBE_SALT)


def unsubscribe_user(token: str):
    """The user the token names, or None when it is forged or the user is gone."""
    try:
        user_pk = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    return get_user_model().objects.filter(pk=user_pk, is_active=True).first()


@transaction.atomic
def digest_unsubscribe(*, user) -> UserPreferences:
    """Turn the weekly digest off for `user` (the signed link is the permission). Idempotent."""
    prefs, _created = UserPreferences.objects.get_or_create(user=user)
    if prefs.digest_enabled:
        prefs.digest_enabled = False
        prefs._history_user = user
        prefs.save()
    return prefs


# --- Sending once ------------------------------------------------------------------------


def _claim(*, reason_key: str, kind: str, user, language: str) -> SentMail | None:
    """The claimed log row, or None when another run sent (or is sending) this e-mail."""
    try:
        with transaction.atomic():
            mail, created = SentMail.objects.get_or_create(
                reason_key=reason_key,
                defaults={
                    "kind": kind,
                    "recipient": user,
                    "email": user.email,
                    "language": language,
                },
            )
    except IntegrityError:  # a concurrent run inserted the same key between get and create
        return None
    if created:
        return mail
    # A failed send is retried; the conditional UPDATE lets only one run take it.
    retried = SentMail.objects.filter(pk=mail.pk, status=SentMailStatus.FAILED).update(
        status=SentMailStatus.PENDING, attempts=mail.attempts + 1, error=""
    )
    return SentMail.objects.get(pk=mail.pk) if retried else None


def send_once(
    *,
    reason_key: str,
    kind: str,
    user,
    build: Callable[[], EmailMultiAlternatives],
    report: SendReport,
) -> None:
    language = _language_of(user)
    mail = _claim(reason_key=reason_key, kind=kind, user=user, language=language)
    if mail is None:
        report.skipped += 1
        return
    try:
        with translation.override(language):
            message = build()
        message.send()
    except Exception as exc:  # noqa: BLE001 - any failure to send is recorded and retried
        logger.warning("e-mail %s to %s failed: %s", reason_key, user.email, exc)
        SentMail.objects.filter(pk=mail.pk).update(
            status=SentMailStatus.FAILED, error=str(exc)[:2000]
        )
        report.failed += 1
        return
    SentMail.objects.filter(pk=mail.pk).update(
        status=SentMailStatus.SENT, subject=message.subject[:300], sent_at=timezone.now()
    )
    report.sent += 1


def _language_of(user) -> str:
    prefs = getattr(user, "_prefetched_preferences", None)
    if prefs is None:
        prefs = UserPreferences.objects.filter(user=user).first()
    return prefs.language if prefs else settings.LANGUAGE_CODE


def attach_preferences(users: list) -> None:
    """Load every recipient's preferences in one query (None: the defaults)."""
    prefs = {p.user_id: p for p in UserPreferences.objects.filter(user__in=users)}
    for user in users:
        user._prefetched_preferences = prefs.get(user.pk) or UserPreferences(user=user)


def absolute(path: str) -> str:
    return settings.PORTAL_BASE_URL.rstrip("/") + path


def mail_message(
    *, subject: str, template: str, context: dict, to: str, headers: dict | None = None
) -> EmailMultiAlternatives:
    context = {"SITE_NAME": settings.SITE_NAME, **context}
    text = render_to_string(f"portal/email/{template}.txt", context)
    html = render_to_string(f"portal/email/{template}.html", context)
    message = EmailMultiAlternatives(
        subject, text, settings.DEFAULT_FROM_EMAIL, [to], headers=headers
    )
    message.attach_alternative(html, "text/html")
    return message
