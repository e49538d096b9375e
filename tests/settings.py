"""Settings of the test run: the portal's own, with a fast password hasher.

PBKDF2 is slow on purpose; with it, hashing the personas' passwords took about three
quarters of the suite's time. Tests never rely on the hash's strength.
"""

from pekppp.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Existing tests sign personas in with force_login and no device: two-factor enrolment is
# not forced unless a test turns it on (tests/units/test_two_factor.py does).
OTP_REQUIRED = False
# django-axes needs the request in authenticate(); the test client's login() has none. The
# log-in throttling tests turn it on (tests/units/test_login_security.py).
AXES_ENABLED = False

# The public pages' server-side copies are keyed by the current publications' ids, and test
# databases give the same ids to other data test after test: off, except where tested
# (tests/scoring/test_public_caching.py).
PUBLIC_CACHE_SECONDS = 0
