"""The authentication backend: Django's ModelBackend, with the signed-in user read on every
request together with their role assignments, in one query.

Every page reads the person's roles (the navigation, then the view's permission checks):
reading them with the user saves a query and, above all, compiling two ORM queries per
request. Passwords, permissions and `user_can_authenticate` are ModelBackend's.
"""

from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import ValidationError

from pekppp.lib.sqlmodels import ModelColumns, fetch

from .models import User
from .permissions import remember_roles

_USER = ModelColumns(User, "u")


class PortalBackend(ModelBackend):
    def get_user(self, user_id):
        try:
            pk = User._meta.pk.to_python(user_id)
        except ValidationError:
            return None
        found = fetch(
            f"SELECT {_USER.sql}, r.role, r.agency_id, r.unit_id FROM units_user u"
            " LEFT JOIN units_roleassignment r ON r.user_id = u.id WHERE u.id = %s",
            [pk],
        )
        if not found:
            return None
        user = _USER.load(found[0])
        if not self.user_can_authenticate(user):
            return None
        remember_roles(user, [row[len(_USER) :] for row in found if row[len(_USER)] is not None])
        return user
