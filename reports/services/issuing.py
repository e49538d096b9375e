"""What issuing numbered documents from a publication (certificates, result letters) shares:
the publication must still be the current one, and each file is stored beside its checksum."""

import hashlib

from django.core.files.base import ContentFile
from django.db import models
from django.utils.translation import gettext as _

from scoring.models import Publication


def current_for_issue(publication: Publication, error: type[Exception]) -> Publication:
    """`publication` read again with its cycle; `error` (with the reason) when a correction has
    replaced it, since nothing is issued from a superseded revision."""
    publication = Publication.objects.select_related("cycle").get(pk=publication.pk)
    if not publication.is_current:
        raise error(
            _("Publikasi revisi %(revision)s sudah digantikan revisi yang lebih baru.")
            % {"revision": publication.revision}
        )
    return publication


def file_save_checked(*, instance: models.Model, content: bytes) -> bool:
    """Store `content` in `instance.file` under the name its `upload_to` gives, with its
    SHA-256 in `instance.sha256`, unless the stored file already has that checksum. Returns
    whether anything was written. The name is fixed, so a rebuild replaces the file instead
    of leaving a suffixed copy."""
    digest = hashlib.sha256(content).hexdigest()
    field = instance.file
    storage = field.storage
    if field and instance.sha256 == digest and storage.exists(field.name):
        return False
    name = field.field.upload_to(instance, "")
    if storage.exists(name):
        storage.delete(name)
    field.save(name, ContentFile(content), save=False)
    instance.sha256 = digest
    instance.save(update_fields=["file", "sha256"])
    return True
