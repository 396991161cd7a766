"""Static files as WhiteNoise serves them once collected: hashed names, gzip and brotli."""

from __future__ import annotations

from whitenoise.storage import CompressedManifestStaticFilesStorage


class CollectedStaticStorage(CompressedManifestStaticFilesStorage):
    """WhiteNoise's compressed manifest storage, with hashed URLs even while DEBUG is on.

    Django writes unhashed URLs while DEBUG, but `make run` (DEBUG on) serves the collected
    files too, and only the hashed ones are kept (WHITENOISE_KEEP_ONLY_HASHED_FILES): a hashed
    name is what lets WhiteNoise send a ten-year immutable Cache-Control.
    """

    def url(self, name, force=False):
        return super().url(name, force=True)
