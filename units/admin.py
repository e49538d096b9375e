"""Admin for provinces, agencies, service types, units, people and roles."""
