"""The evaluations API under /api/v1/ (namespace `evaluations_api`, routes in
`evaluations/urls/api.py`): instruments, cycles with their loci and evaluator teams, and the
follow-up register (cycles.py, instruments.py, followup.py), and assessments (assessments*.py).

Each view is a DRF view over the same selectors, services, permission predicates and phase
checks as the pages; nothing here decides a rule of its own."""
