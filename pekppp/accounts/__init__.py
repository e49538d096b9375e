"""Accounts plumbing around Django's auth: log-in throttling (django-axes), password reset by
email, session lifetimes, `Cache-Control` for signed-in pages and the security log."""
