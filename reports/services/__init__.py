"""Writes of the reports app: document jobs (documents.py) and certificates (certificates.py)."""
