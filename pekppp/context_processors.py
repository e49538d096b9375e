"""Navigation shown in the base layout, from the person's roles (read once per request)."""

from units.permissions import roles_of


def navigation(request) -> dict:
    roles = roles_of(getattr(request, "user", None))
    return {
        "nav": {
            "cycles": roles.ministry_admin or bool(roles.coordinator_agencies),
            "rankings": roles.ministry_admin
            or bool(roles.coordinator_agencies or roles.leadership_agencies),
            "simulator": roles.ministry_admin
            or roles.evaluator
            or bool(roles.coordinator_agencies or roles.operator_units),
        }
    }
