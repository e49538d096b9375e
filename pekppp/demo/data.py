"""The demo data set behind `manage.py seed_demo`, and the function that writes it.

Provinsi Lampung with all fifteen kabupaten/kota, a few K/L, POLRI and BUMN units, a
Nasional cycle of the current year over all of them (in progress, no results yet, every phase
open on the day of seeding, F-03 answers at two loci: `survey.py`), a small Mandiri cycle of
the province in the same year, finished
Nasional cycles of 2023 (the same units) and 2022 (two thirds of them) with scored results
(`results.py`; 2022 is published, 2023 awaits an admin) and the follow-up of their
recommendations (`followup.py`), and one log-in per role.
Regions, agencies and hospitals carry their real names; people, NIPs, teams and scores are
invented. Everything is keyed on codes and usernames, so seeding twice on one day changes
nothing.
"""

import datetime as dt
import io
from collections.abc import Sequence
from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from evaluations.models import (
    Assessment,
    AssessmentStatus,
    Cycle,
    EvaluatorAssignment,
    InstrumentVersion,
    Phase,
    PhaseWindow,
    Scheme,
)
from evaluations.permissions import evaluator_conflict
from units.models import (
    ROLE_SCOPE,
    Agency,
    AgencyKind,
    Province,
    Role,
    ServiceScope,
    ServiceUnit,
    User,
)
from units.services import (
    RoleGrant,
    agency_upsert,
    person_roles_set,
    person_upsert,
    province_upsert,
    service_type_upsert,
    service_unit_upsert,
)

from .followup import FollowUpSummary, followup_seed
from .priority import PrioritySummary, priority_seed
from .results import ANCHOR_YEAR, HistorySummary, history_publish, history_seed
from .survey import SurveyLocus, survey_seed

DEMO_PASSWORD = "demo-pekppp"
# Every demo person gets <username>@example.org (RFC 2606: never delivered to anyone), so the
# worker of `make run` shows their notification mails in its log.
DEMO_EMAIL_DOMAIN = "example.org"
INSTRUMENT_CODE = "2022-A"
MINISTRY = "KEMENPANRB"
PROVINCE = ("18", "Lampung")
PROVINCE_AGENCY = "PROV-18"

# Service type slug, name, and the scope its units get.
SERVICE_TYPES: list[tuple[str, str, ServiceScope]] = [
    ("disdukcapil", "Dinas Kependudukan dan Pencatatan Sipil", ServiceScope.ADMINISTRATIF),
    (
        "dpmptsp",
        "Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu",
        ServiceScope.ADMINISTRATIF,
    ),
    ("rsud", "Rumah Sakit Umum Daerah", ServiceScope.JASA),
    ("samsat", "Samsat", ServiceScope.ADMINISTRATIF),
    ("puskesmas", "Pusat Kesehatan Masyarakat (Puskesmas)", ServiceScope.JASA),
    ("kecamatan", "Kecamatan", ServiceScope.ADMINISTRATIF),
    ("dinsos", "Dinas Sosial", ServiceScope.JASA),
    ("imigrasi", "Kantor Imigrasi", ServiceScope.ADMINISTRATIF),
    ("pertanahan", "Kantor Pertanahan", ServiceScope.ADMINISTRATIF),
    ("pom", "Balai Pengawas Obat dan Makanan", ServiceScope.ADMINISTRATIF),
    ("sim", "Satuan Penyelenggara Administrasi SIM (Satpas SIM)", ServiceScope.ADMINISTRATIF),
    ("skck", "Pelayanan Surat Keterangan Catatan Kepolisian (SKCK)", ServiceScope.ADMINISTRATIF),
    ("listrik", "Pelayanan Pelanggan Listrik", ServiceScope.BARANG),
]
SCOPE_OF_TYPE = {code: scope for code, _, scope in SERVICE_TYPES}

# Every kabupaten/kota of Lampung, in BPS code order, with its regional hospital.
KABKOTA: list[tuple[str, AgencyKind, str, str]] = [
    ("1801", AgencyKind.KABUPATEN, "Lampung Selatan", "RSUD Bob Bazar Kalianda"),
    ("1802", AgencyKind.KABUPATEN, "Lampung Tengah", "RSUD Demang Sepulau Raya"),
    ("1803", AgencyKind.KABUPATEN, "Lampung Utara", "RSUD Mayjend. H.M. Ryacudu Kotabumi"),
    ("1804", AgencyKind.KABUPATEN, "Lampung Barat", "RSUD Alimuddin Umar Liwa"),
    ("1805", AgencyKind.KABUPATEN, "Tulang Bawang", "RSUD Menggala"),
    ("1806", AgencyKind.KABUPATEN, "Tanggamus", "RSUD Batin Mangunang Kota Agung"),
    ("1807", AgencyKind.KABUPATEN, "Lampung Timur", "RSUD Sukadana"),
    ("1808", AgencyKind.KABUPATEN, "Way Kanan", "RSUD Zainal Abidin Pagar Alam"),
    ("1809", AgencyKind.KABUPATEN, "Pesawaran", "RSUD Kabupaten Pesawaran"),
    ("1810", AgencyKind.KABUPATEN, "Pringsewu", "RSUD Kabupaten Pringsewu"),
    ("1811", AgencyKind.KABUPATEN, "Mesuji", "RSUD Kabupaten Mesuji"),
    ("1812", AgencyKind.KABUPATEN, "Tulang Bawang Barat", "RSUD Kabupaten Tulang Bawang Barat"),
    ("1813", AgencyKind.KABUPATEN, "Pesisir Barat", "RSUD Kabupaten Pesisir Barat"),
    ("1871", AgencyKind.KOTA, "Bandar Lampung", "RSUD Dr. A. Dadi Tjokrodipo"),
    ("1872", AgencyKind.KOTA, "Metro", "RSUD Jend. Ahmad Yani Metro"),
]
KIND_WORD = {AgencyKind.KABUPATEN: "Kabupaten", AgencyKind.KOTA: "Kota"}

# The head of a regional government, by kind: "Bupati Lampung Selatan".
HEAD_WORD = {AgencyKind.KABUPATEN: "Bupati", AgencyKind.KOTA: "Wali Kota"}

# Agencies outside the regional governments (no province): code, kind, name, head's office.
NATIONAL_AGENCIES: list[tuple[str, AgencyKind, str, str]] = [
    (
        MINISTRY,
        AgencyKind.KEMENTERIAN,
        "Kementerian Pendayagunaan Aparatur Negara dan Reformasi Birokrasi",
        "Menteri Pendayagunaan Aparatur Negara dan Reformasi Birokrasi",
    ),
    (
        "KEMENIMIPAS",
        AgencyKind.KEMENTERIAN,
        "Kementerian Imigrasi dan Pemasyarakatan",
        "Menteri Imigrasi dan Pemasyarakatan",
    ),
    (
        "KEMENATRBPN",
        AgencyKind.KEMENTERIAN,
        "Kementerian Agraria dan Tata Ruang/Badan Pertanahan Nasional",
        "Menteri Agraria dan Tata Ruang/Kepala Badan Pertanahan Nasional",
    ),
    (
        "BPOM",
        AgencyKind.LEMBAGA,
        "Badan Pengawas Obat dan Makanan",
        "Kepala Badan Pengawas Obat dan Makanan",
    ),
    (
        "POLDA-LAMPUNG",
        AgencyKind.POLRI,
        "Kepolisian Daerah Lampung",
        "Kepala Kepolisian Daerah Lampung",
    ),
    ("PLN", AgencyKind.BUMN, "PT PLN (Persero)", "Direktur Utama PT PLN (Persero)"),
]


@dataclass(frozen=True, slots=True)
class UnitSpec:
    code: str
    agency: str  # agency code
    service_type: str  # service type slug
    name: str


PROVINCE_UNITS = [
    UnitSpec("18-DPMPTSP", PROVINCE_AGENCY, "dpmptsp", "DPMPTSP Provinsi Lampung"),
    UnitSpec("18-SAMSAT-BDL", PROVINCE_AGENCY, "samsat", "UPTD Samsat Bandar Lampung"),
    UnitSpec("18-RSUD", PROVINCE_AGENCY, "rsud", "RSUD Dr. H. Abdul Moeloek"),
]
NATIONAL_UNITS = [
    UnitSpec(
        "IMIGRASI-BDL", "KEMENIMIPAS", "imigrasi", "Kantor Imigrasi Kelas I TPI Bandar Lampung"
    ),
    UnitSpec(
        "PERTANAHAN-1871", "KEMENATRBPN", "pertanahan", "Kantor Pertanahan Kota Bandar Lampung"
    ),
    UnitSpec("BPOM-BDL", "BPOM", "pom", "Balai Besar POM di Bandar Lampung"),
    UnitSpec("SIM-POLRESTA-BDL", "POLDA-LAMPUNG", "sim", "Satpas SIM Polresta Bandar Lampung"),
    UnitSpec(
        "SKCK-POLRES-LAMSEL", "POLDA-LAMPUNG", "skck", "Pelayanan SKCK Polres Lampung Selatan"
    ),
    UnitSpec("PLN-ULP-TJK", "PLN", "listrik", "ULP PLN Tanjung Karang"),
]


def kabkota_agency_code(bps: str, kind: AgencyKind) -> str:
    return f"{'KOTA' if kind == AgencyKind.KOTA else 'KAB'}-{bps}"


def kabkota_units() -> list[UnitSpec]:
    """Disdukcapil, DPMPTSP and RSUD of every kabupaten/kota, in BPS code order."""
    units = []
    for bps, kind, name, rsud in KABKOTA:
        agency = kabkota_agency_code(bps, kind)
        region = f"{KIND_WORD[kind]} {name}"
        units += [
            UnitSpec(f"{bps}-DISDUKCAPIL", agency, "disdukcapil", f"Disdukcapil {region}"),
            UnitSpec(f"{bps}-DPMPTSP", agency, "dpmptsp", f"DPMPTSP {region}"),
            UnitSpec(f"{bps}-RSUD", agency, "rsud", rsud),
        ]
    return units


Span = tuple[tuple[int, int], tuple[int, int]]  # ((month, day), (month, day))


def _windows(year: int, *spans: Span) -> dict[Phase, tuple[dt.date, dt.date]]:
    """Phase windows, one span per phase in Phase order, in `year`."""
    return {
        phase: (dt.date(year, *start), dt.date(year, *end))
        for phase, (start, end) in zip(Phase, spans, strict=True)
    }


def _nasional_windows(year: int) -> dict[Phase, tuple[dt.date, dt.date]]:
    return _windows(
        year,
        ((3, 1), (4, 30)),  # self-assessment
        ((3, 1), (5, 31)),  # survey
        ((5, 1), (7, 15)),  # evaluation
        ((7, 1), (7, 31)),  # clarification
        ((8, 1), (8, 31)),  # moderation
        ((9, 16), (10, 31)),  # publication
    )


# The cycles in progress keep every phase open from OPEN_BEFORE before the day of seeding to
# OPEN_AFTER after it. The portal enforces phase windows on the server, and a demo is tried
# in one sitting, so all six windows overlap on purpose: F-01, F-02, clarification,
# moderation and the final decision can follow one another on the same afternoon.
OPEN_BEFORE = dt.timedelta(days=14)
OPEN_AFTER = dt.timedelta(days=60)


def _open_windows(today: dt.date) -> dict[Phase, tuple[dt.date, dt.date]]:
    """Every phase open from OPEN_BEFORE before `today` until OPEN_AFTER after it."""
    return {phase: (today - OPEN_BEFORE, today + OPEN_AFTER) for phase in Phase}


@dataclass(frozen=True, slots=True)
class CycleSpec:
    year: int
    name: str
    scheme: Scheme
    owner: str  # agency code
    windows: dict[Phase, tuple[dt.date, dt.date]]
    loci: tuple[str, ...]  # unit codes, in the order teams are drawn
    evaluators: tuple[str, ...]  # usernames of the pool, in draw order
    team_sizes: tuple[int, ...]  # repeated over the loci
    # A finished cycle: its loci are created final and get demo levels, answers and results.
    finished: bool = False


@dataclass(frozen=True, slots=True)
class PersonSpec:
    username: str
    full_name: str
    nip: str  # born YYYYMMDD, appointed YYYYMM, sex (1 male, 2 female), serial
    agency: str  # home agency code
    roles: tuple[tuple[Role, str | None], ...]  # role and its scope's agency or unit code
    superuser: bool = False


_EVALUATOR = ((Role.EVALUATOR, None),)

# The national pool; `evaluator`, the demo log-in, is drawn first so that it leads the
# first locus, Disdukcapil Kabupaten Lampung Selatan.
NATIONAL_EVALUATORS = [
    PersonSpec(username, full_name, nip, MINISTRY, _EVALUATOR)
    for username, full_name, nip in [
        ("evaluator", "Andi Prasetyo, S.A.P., M.A.P.", "198607142010121002"),
        ("dewi.kartika", "Dewi Kartika Sari, S.E., M.M.", "198903222014022001"),
        ("bambang.hermawan", "Bambang Hermawan, S.H., M.H.", "198112052006041003"),
        ("nurul.hidayah", "Nurul Hidayah, S.Psi., M.Si.", "199004182015032002"),
        ("yusuf.ramadhan", "Yusuf Ramadhan, S.T., M.T.", "198801302011011004"),
        ("siti.aminah", "Siti Aminah, S.Kom., M.Kom.", "199206112019022003"),
        ("agus.setiawan", "Agus Setiawan, S.I.P., M.P.A.", "198409262009011005"),
        ("fitri.handayani", "Fitri Handayani, S.Sos., M.Si.", "198711092010122004"),
    ]
]
# Biro Organisasi staff of the province: in a Mandiri cycle they may assess their own units.
PROVINCE_EVALUATORS = [
    PersonSpec(username, full_name, nip, PROVINCE_AGENCY, _EVALUATOR)
    for username, full_name, nip in [
        ("hendra.saputra", "Hendra Saputra, S.I.P.", "198510032009031007"),
        ("yuliana.putri", "Yuliana Putri, S.E., M.Ak.", "199107252015032001"),
    ]
]
OTHER_PEOPLE = [
    PersonSpec(
        "admin",
        "Dra. Sri Wahyuningsih, M.Si.",
        "197305191998032001",
        MINISTRY,
        ((Role.MINISTRY_ADMIN, None),),
        superuser=True,
    ),
    PersonSpec(
        "koordinator",
        "Rina Marlina, S.Sos., M.M.",
        "197908172005012006",
        PROVINCE_AGENCY,
        ((Role.COORDINATOR, PROVINCE_AGENCY),),
    ),
    PersonSpec(
        "operator",
        "Ahmad Fauzi, A.Md.",
        "199402142020121003",
        "KAB-1801",
        ((Role.UNIT_OPERATOR, "1801-DISDUKCAPIL"),),
    ),
    # Records the follow-up of the province's own DPMPTSP, which `koordinator` monitors.
    PersonSpec(
        "operator.dpmptsp",
        "Sri Lestari, S.Sos.",
        "199011232015032004",
        PROVINCE_AGENCY,
        ((Role.UNIT_OPERATOR, "18-DPMPTSP"),),
    ),
    PersonSpec(
        "pimpinan",
        "Drs. H. Darmawan Syahputra, M.M.",
        "196908101995031002",
        "KAB-1801",
        ((Role.LEADERSHIP, "KAB-1801"),),
    ),
]
PEOPLE = NATIONAL_EVALUATORS + PROVINCE_EVALUATORS + OTHER_PEOPLE
PERSON = {p.username: p for p in PEOPLE}

# The log-ins printed after seeding: username and what the person finds on their home page.
DEMO_LOGINS: list[tuple[str, str]] = [
    (
        "admin",
        "semua periode evaluasi beserta jumlah lokusnya; Nasional 2022 sudah dipublikasikan, "
        "Nasional 2023 siap dipublikasikan; halaman /admin/",
    ),
    ("koordinator", "periode Mandiri Provinsi Lampung dan lokus unit Pemprov Lampung"),
    ("evaluator", "lokus yang ditugaskan, a.l. Disdukcapil Kabupaten Lampung Selatan (ketua tim)"),
    ("operator", "lokus Disdukcapil Kabupaten Lampung Selatan"),
    (
        "pimpinan",
        "dasbor hasil unit Pemerintah Kabupaten Lampung Selatan: IPP, peringkat, profil aspek",
    ),
]

NATIONAL_LOCI = tuple(u.code for u in kabkota_units() + PROVINCE_UNITS + NATIONAL_UNITS)
# 2022 evaluated two thirds of them: one unit of every three drops out, a different type in
# turn (DPMPTSP of 1801, RSUD of 1802, Disdukcapil of 1803, …), so the 2023 ranking shows a
# change for most units and "new" for the others, spread over all service types.
LOCI_2022 = tuple(code for i, code in enumerate(NATIONAL_LOCI) if i % 3 != (i // 3 + 1) % 3)

# Earlier years, so rankings, grade distributions and year-over-year changes have figures.
FINISHED_CYCLES = [
    CycleSpec(
        year=2023,
        name="PEKPPP Nasional 2023",
        scheme=Scheme.NASIONAL,
        owner=MINISTRY,
        windows=_nasional_windows(2023),
        loci=NATIONAL_LOCI,
        evaluators=tuple(p.username for p in NATIONAL_EVALUATORS),
        team_sizes=(2, 3),
        finished=True,
    ),
    CycleSpec(
        year=2022,
        name="PEKPPP Nasional 2022",
        scheme=Scheme.NASIONAL,
        owner=MINISTRY,
        windows=_nasional_windows(2022),
        loci=LOCI_2022,
        evaluators=tuple(p.username for p in NATIONAL_EVALUATORS),
        team_sizes=(2,),
        finished=True,
    ),
]


def demo_cycles(today: dt.date) -> list[CycleSpec]:
    """The demo's cycles when seeding on `today`: the two in progress, of `today`'s year and
    with every phase open (`_open_windows`), then the finished ones.

    A cycle in progress of an earlier year, left by a run in that year, is not among them, so
    seeding leaves it as it is.
    """
    year = today.year
    windows = _open_windows(today)
    return [
        CycleSpec(
            year=year,
            name=f"PEKPPP Nasional {year}",
            scheme=Scheme.NASIONAL,
            owner=MINISTRY,
            windows=windows,
            loci=NATIONAL_LOCI,
            evaluators=tuple(p.username for p in NATIONAL_EVALUATORS),
            team_sizes=(3, 2),
        ),
        CycleSpec(
            year=year,
            name=f"PEKPPP Mandiri Provinsi Lampung {year}",
            scheme=Scheme.MANDIRI,
            owner=PROVINCE_AGENCY,
            windows=windows,
            loci=tuple(u.code for u in PROVINCE_UNITS),
            evaluators=tuple(p.username for p in PROVINCE_EVALUATORS),
            team_sizes=(2,),
        ),
        *FINISHED_CYCLES,
    ]


@dataclass(frozen=True, slots=True)
class DemoLogin:
    role: str
    username: str
    password: str
    sees: str


@dataclass(frozen=True, slots=True)
class DemoSummary:
    """What seeding left in place: counts of the demo rows and the demo log-ins."""

    instruments: tuple[str, ...]
    year: int  # of the cycles in progress
    open_from: dt.date  # every phase of the cycles in progress is open from this day…
    open_until: dt.date  # …until this one
    agencies: int
    units: int
    cycles: int
    assessments: int
    assignments: int
    users: int
    logins: tuple[DemoLogin, ...]
    history: HistorySummary  # results of the finished cycles
    published: tuple[tuple[str, int], ...]  # (cycle name, current revision) of published ones
    survey: tuple[SurveyLocus, ...]  # the F-03 survey of the current Nasional cycle
    priority: PrioritySummary | None  # priority coaching after the 2022 publication
    followup: FollowUpSummary  # follow-up items of the finished cycles


def evaluator_teams(
    n_loci: int, pool_size: int, team_sizes: Sequence[int]
) -> list[tuple[int, ...]]:
    """Teams for `n_loci` loci as indexes into the pool, lead first.

    Members are drawn round-robin, so no evaluator carries more than one locus above any
    other; the lead is the member who has led least so far (ties: draw order).
    """
    leads = [0] * pool_size
    teams: list[tuple[int, ...]] = []
    start = 0
    for i in range(n_loci):
        size = min(team_sizes[i % len(team_sizes)], pool_size)
        members = [(start + k) % pool_size for k in range(size)]
        start = (start + size) % pool_size
        lead = min(members, key=lambda m: leads[m])
        leads[lead] += 1
        teams.append((lead, *(m for m in members if m != lead)))
    return teams


@transaction.atomic
def seed_demo(*, today: dt.date | None = None) -> DemoSummary:
    """Create or restore the demo data set as of `today` (default: the local date) and return
    what it holds.

    Names, codes, teams, roles and the demo passwords are reset to the demo values, and the
    phase windows of the cycles in progress are moved to open around `today`; work done in
    the portal (assessment status and anything hanging off an assessment) is kept. Loci of
    finished cycles that lack final levels or survey answers get the demo ones, and the
    results of those cycles are recomputed. The 2022 cycle is published once (revision 1),
    with its priority units and one scheduled coaching session (`priority.py`); 2023 is left
    for an admin to publish.
    """
    today = today or timezone.localdate()
    cycles = demo_cycles(today)
    call_command("load_instruments", stdout=io.StringIO())
    instrument = InstrumentVersion.objects.get(code=INSTRUMENT_CODE)
    province = province_upsert(code=PROVINCE[0], name=PROVINCE[1])
    service_types = {
        code: service_type_upsert(code=code, name=name) for code, name, _ in SERVICE_TYPES
    }
    agencies = _seed_agencies(province)
    units = {
        spec.code: service_unit_upsert(
            code=spec.code,
            name=spec.name,
            agency=agencies[spec.agency],
            service_type=service_types[spec.service_type],
            scope=SCOPE_OF_TYPE[spec.service_type],
        )
        for spec in kabkota_units() + PROVINCE_UNITS + NATIONAL_UNITS
    }
    people = _seed_people(agencies, units)
    assessments = assignments = 0
    finished = []
    current: list[Assessment] = []
    for spec in cycles:
        cycle, loci, teams = _seed_cycle(spec, instrument, agencies, units, people)
        assessments += len(loci)
        assignments += teams
        if spec.finished:
            finished.append((cycle, loci))
        elif spec.scheme == Scheme.NASIONAL:
            current = loci
    history = history_seed(cycles=finished)
    followup = followup_seed(
        cycles=finished,
        anchor=next(c for c, _ in finished if c.year == ANCHOR_YEAR),
        people=people,
        today=today,
        deadline=today + OPEN_AFTER,
    )
    published = history_publish(cycles=[c for c, _ in finished], by=people["admin"])
    survey = survey_seed(loci=current, people=people)
    priority = priority_seed(people=people, today=today)
    return DemoSummary(
        instruments=tuple(
            InstrumentVersion.objects.order_by("code").values_list("code", flat=True)
        ),
        year=today.year,
        open_from=today - OPEN_BEFORE,
        open_until=today + OPEN_AFTER,
        agencies=len(agencies),
        units=len(units),
        cycles=len(cycles),
        assessments=assessments,
        assignments=assignments,
        users=len(people),
        logins=tuple(
            DemoLogin(
                role=str(PERSON[username].roles[0][0].label),
                username=username,
                password=DEMO_PASSWORD,
                sees=sees,
            )
            for username, sees in DEMO_LOGINS
        ),
        history=history,
        published=tuple((p.cycle.name, p.revision) for p in published),
        survey=survey,
        priority=priority,
        followup=followup,
    )


def _seed_agencies(province: Province) -> dict[str, Agency]:
    agencies = {
        code: agency_upsert(code=code, name=name, kind=kind, head_title=head)
        for code, kind, name, head in NATIONAL_AGENCIES
    }
    agencies[PROVINCE_AGENCY] = agency_upsert(
        code=PROVINCE_AGENCY,
        name=f"Pemerintah Provinsi {province.name}",
        kind=AgencyKind.PROVINSI,
        province=province,
        head_title=f"Gubernur {province.name}",
    )
    for bps, kind, name, _ in KABKOTA:
        code = kabkota_agency_code(bps, kind)
        agencies[code] = agency_upsert(
            code=code,
            name=f"Pemerintah {KIND_WORD[kind]} {name}",
            kind=kind,
            province=province,
            head_title=f"{HEAD_WORD[kind]} {name}",
        )
    return agencies


def _seed_people(agencies: dict[str, Agency], units: dict[str, ServiceUnit]) -> dict[str, User]:
    # One hash for every demo account: each PBKDF2 hash costs ~0.3 s, and the demo password
    # is public anyway, so distinct salts would buy nothing here.
    password_hash = make_password(DEMO_PASSWORD)
    people = {}
    for spec in PEOPLE:
        user = person_upsert(
            username=spec.username,
            full_name=spec.full_name,
            nip=spec.nip,
            agency=agencies[spec.agency],
            password_hash=password_hash,
            is_staff=spec.superuser,
            is_superuser=spec.superuser,
            email=f"{spec.username}@{DEMO_EMAIL_DOMAIN}",
        )
        person_roles_set(
            user=user,
            grants=[
                RoleGrant(
                    role=role,
                    agency=agencies[scope] if ROLE_SCOPE[role] == "agency" else None,
                    unit=units[scope] if ROLE_SCOPE[role] == "unit" else None,
                )
                for role, scope in spec.roles
            ],
        )
        people[spec.username] = user
    return people


def _seed_cycle(
    spec: CycleSpec,
    instrument: InstrumentVersion,
    agencies: dict[str, Agency],
    units: dict[str, ServiceUnit],
    people: dict[str, User],
) -> tuple[Cycle, list[Assessment], int]:
    """Create or restore one cycle with its windows, loci and teams.

    Returns the cycle, its loci in spec order (units selected) and the number of assignments.
    """
    cycle, _ = Cycle.objects.get_or_create(
        year=spec.year,
        scheme=spec.scheme,
        owner_agency=agencies[spec.owner],
        name=spec.name,
        defaults={"instrument": instrument},
    )
    for phase, (starts_on, ends_on) in spec.windows.items():
        PhaseWindow.objects.update_or_create(
            cycle=cycle, phase=phase, defaults={"starts_on": starts_on, "ends_on": ends_on}
        )

    locus_units = [units[code] for code in spec.loci]
    present = set(cycle.assessments.values_list("unit_id", flat=True))
    status = AssessmentStatus.FINAL if spec.finished else AssessmentStatus.DRAFT
    Assessment.objects.bulk_create(
        Assessment(cycle=cycle, unit=unit, status=status)
        for unit in locus_units
        if unit.pk not in present
    )
    by_unit = {
        a.unit_id: a
        for a in cycle.assessments.filter(unit__in=locus_units).select_related("cycle", "unit")
    }
    loci = [by_unit[unit.pk] for unit in locus_units]

    pool = [people[username] for username in spec.evaluators]
    wanted: dict[tuple[int, int], bool] = {}
    teams = evaluator_teams(len(loci), len(pool), spec.team_sizes)
    for assessment, team in zip(loci, teams, strict=True):
        for position, index in enumerate(team):
            evaluator = pool[index]
            if evaluator_conflict(evaluator, assessment):
                raise ValueError(
                    f"{evaluator.username} tidak boleh menilai unit instansinya: {assessment}"
                )
            wanted[(assessment.pk, evaluator.pk)] = position == 0

    current = {
        (a.assessment_id, a.evaluator_id): a
        for a in EvaluatorAssignment.objects.filter(assessment__in=loci)
    }
    EvaluatorAssignment.objects.filter(
        pk__in=[a.pk for key, a in current.items() if key not in wanted]
    ).delete()
    changed = []
    for key, is_lead in wanted.items():
        if key in current and current[key].is_lead != is_lead:
            current[key].is_lead = is_lead
            changed.append(current[key])
    EvaluatorAssignment.objects.bulk_update(changed, ["is_lead"])
    EvaluatorAssignment.objects.bulk_create(
        EvaluatorAssignment(assessment_id=a_id, evaluator_id=e_id, is_lead=is_lead)
        for (a_id, e_id), is_lead in wanted.items()
        if (a_id, e_id) not in current
    )
    return cycle, loci, len(wanted)
