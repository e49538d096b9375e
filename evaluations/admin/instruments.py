"""Admin for instrument versions: export, import a new version, copy forward."""
