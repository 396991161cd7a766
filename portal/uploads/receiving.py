"""Receiving an upload: a full temporary directory drops the file with a message, not a 500."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.files.uploadhandler import SkipFile
from django.core.files.uploadhandler import TemporaryFileUploadHandler
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

UPLOAD_FAILED = "_upload_failed"


class SpaceAwareUploadHandler(TemporaryFileUploadHandler):
    """Django's temporary-file handler that drops the file, rather than failing the whole
    request with a 500, when its temporary directory cannot take it (disk full, quota)."""

    def new_file(self, *args, **kwargs) -> None:
        # Never the previous, completed file of the same request (Django's parser closes a
        # handler's `file` when it exists, so it must be absent, not None).
        vars(self).pop("file", None)
        try:
            super().new_file(*args, **kwargs)
        except OSError as exc:
            self._drop(exc)

    def receive_data_chunk(self, raw_data, start):
        try:
            return super().receive_data_chunk(raw_data, start)
        except OSError as exc:
            self._drop(exc)

    def file_complete(self, file_size):
        try:
            return super().file_complete(file_size)
        except OSError as exc:
            self._discard(exc)
            return None

    def _discard(self, exc: OSError) -> None:
        logger.error("upload %s not stored in %s: %s", self.file_name, _temp_dir(), exc)
        setattr(self.request, UPLOAD_FAILED, True)
        file = vars(self).pop("file", None)
        if file is not None:
            try:
                file.close()  # a NamedTemporaryFile deletes itself on close, even then
            except OSError:
                pass

    def _drop(self, exc: OSError):
        self._discard(exc)
        raise SkipFile from None


def _temp_dir() -> str:
    return settings.FILE_UPLOAD_TEMP_DIR or "the system's temporary directory"


def upload_failure(request) -> str | None:
    """The message for an upload the server could not store, or None."""
    if not getattr(request, UPLOAD_FAILED, False):
        return None
    return _(
        "The server could not receive the file because its storage for uploads is full. "
        "Nothing was saved: try again in a while, and tell the programme office if this "
        "happens again."
    )


def show_upload_failure(request, form, field_name: str = "file") -> None:
    """Put the message of an upload the server could not store on `form`'s file field."""
    message = upload_failure(request)
    if message:
        form.errors[field_name] = form.error_class([message])
