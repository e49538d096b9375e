"""Routes of the evaluations API, mounted once under /api/v1/ as `evaluations_api`
(see pekppp/urls.py). Each area adds its own lines."""

api_patterns = []
