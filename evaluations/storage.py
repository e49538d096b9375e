"""Private file storage: evidence, visit photos, documents and certificates.

Their FileFields use `storages["private"]` (settings.STORAGES): a folder under MEDIA_ROOT by
default, or an S3-compatible bucket when AWS_STORAGE_BUCKET_NAME is set. Either way the files
are served only by permission-checked views, which stream them (evaluations.views.files).
"""

from django.core.files.storage import FileSystemStorage, storages
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils.functional import LazyObject, empty

PRIVATE_STORAGE_ALIAS = "private"


class PrivateFileSystemStorage(FileSystemStorage):
    """A folder outside every URL: a file has no address a browser could fetch."""

    def url(self, name):
        raise ValueError("Private files have no public URL; use the download view.")


class _PrivateStorage(LazyObject):
    # Resolved on first use, not when the models are imported, so a test (or a deployment's
    # settings) can point STORAGES["private"] elsewhere; reset when STORAGES changes.
    def _setup(self):
        self._wrapped = storages[PRIVATE_STORAGE_ALIAS]


_private = _PrivateStorage()


@receiver(setting_changed)
def _reset(*, setting: str, **kwargs) -> None:
    if setting == "STORAGES":
        _private._wrapped = empty


def private_storage() -> _PrivateStorage:
    """The storage of FileFields holding private files (a callable, so migrations stay clean)."""
    return _private
