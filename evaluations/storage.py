"""Private file storage: evidence and visit photos are served only by permission-checked views."""

from functools import cache

from django.conf import settings
from django.core.files.storage import FileSystemStorage


class PrivateStorage(FileSystemStorage):
    def __init__(self):
        super().__init__(location=settings.PRIVATE_MEDIA_ROOT, base_url=None)

    def url(self, name):
        raise ValueError("Private files have no public URL; use the download view.")


@cache
def private_storage() -> PrivateStorage:
    """The storage of FileFields holding private files (a callable, so migrations stay clean)."""
    return PrivateStorage()
