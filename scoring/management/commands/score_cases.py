import json

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from evaluations import instrument_file
from evaluations.instrument_spec import instrument_plan
from evaluations.models import InstrumentVersion
from scoring import engine


def shipped_spec(code: str) -> engine.InstrumentSpec | None:
    """The loaded version with that code, else the shipped file of that name, else None.

    The file fallback lets the command check worked cases on a database not migrated yet.
    """
    try:
        version = InstrumentVersion.objects.filter(code=code).first()
    except DatabaseError:
        version = None
    if version is not None:
        return instrument_plan(version).spec
    path = instrument_file.SHIPPED_DIR / f"{code}.json"
    if path.is_file():
        return engine.instrument_from_dict(
            instrument_file.parse(path.read_bytes(), source=str(path))
        )
    return None


class Command(BaseCommand):
    help = (
        "Score worked cases in the golden-case format and print "
        '{"cases": [{"id", "aspects", "evaluator_index", "survey_index", "ipp", "grade"}, …]}.'
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "file", help='JSON file: {"cases": [{"id", "instrument", "levels", "survey"}, …]}'
        )

    def handle(self, *args, file, **options):
        try:
            with open(file, encoding="utf-8") as fh:
                cases = json.load(fh)["cases"]
        except OSError as exc:
            raise CommandError(f"{file}: tidak dapat dibaca ({exc.strerror})") from exc
        except (ValueError, KeyError, TypeError) as exc:
            raise CommandError(
                f'{file}: bukan berkas kasus yang sah (perlu {{"cases": [...]}}): {exc}'
            ) from exc
        specs: dict[str, engine.InstrumentSpec | None] = {}
        results, problems = [], []
        for position, case in enumerate(cases, start=1):
            label = case.get("id", f"#{position}") if isinstance(case, dict) else f"#{position}"
            try:
                code = case["instrument"]
                if code not in specs:
                    specs[code] = shipped_spec(code)
                if specs[code] is None:
                    raise engine.ScoringInputError([f"instrumen '{code}' tidak dikenal"])
                results.append(engine.score_case(specs[code], case))
            except engine.ScoringInputError as exc:
                problems.extend(f"kasus {label}: {p}" for p in exc.problems)
            except (KeyError, TypeError, ValueError, AttributeError) as exc:
                problems.append(f"kasus {label}: format tidak sah ({exc!r})")
        if problems:
            raise CommandError("\n".join(problems))
        self.stdout.write(json.dumps({"cases": results}, ensure_ascii=False, indent=2))
