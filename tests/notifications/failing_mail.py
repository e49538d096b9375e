"""A mail backend whose server never answers (the process boundary, for tests)."""

from django.core.mail.backends.base import BaseEmailBackend


class Backend(BaseEmailBackend):
    def send_messages(self, email_messages):
        raise ConnectionRefusedError("server mail tidak menjawab")
