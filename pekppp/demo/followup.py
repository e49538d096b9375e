"""Follow-up (tindak lanjut) of the demo's finished cycles, made through the portal's services.

- The evaluators' F-02 rows of each final locus: every team member's level equals the final
  level; below 5 each writes a recommendation (the lead's text per indicator; on levels 0–1
  the second member adds one of their own, so some items hold two numbered texts).
- `followup_items_create` then makes the items, as finalising would have; the follow-up
  deadline of each finished cycle is set once, OPEN_AFTER after the first seeding.
- A few items are updated through `followup_item_update` by the operators of their units:
  at Disdukcapil Kabupaten Lampung Selatan (the demo operator) two are in progress, one is
  done with a small PDF and one is overdue; at DPMPTSP Provinsi Lampung (the province's own
  unit, which the demo coordinator monitors) one is done, one cannot be carried out and one
  is in progress. An item anyone has edited since is left alone, so a second run changes
  nothing.
"""

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from evaluations.models import (
    Assessment,
    Cycle,
    EvaluatorAssignment,
    FinalLevel,
    FollowUpItem,
    FollowUpStatus,
    Score,
)
from evaluations.services.followup import (
    FollowUpValues,
    followup_item_update,
    followup_items_create,
)
from units.models import User

# What the lead evaluator recommends per indicator number of the 2022-A instrument.
RECOMMENDATIONS: dict[int, str] = {
    1: "Lengkapi 14 komponen Standar Pelayanan dan tetapkan dengan keputusan pimpinan.",
    2: "Libatkan akademisi, organisasi masyarakat sipil dan media dalam penyusunan SP.",
    3: "Publikasikan enam komponen SP di sedikitnya empat media dan di SIPP Nasional.",
    4: "Tinjau SP seluruh jenis layanan sekurang-kurangnya sekali setahun.",
    5: "Publikasikan Maklumat Pelayanan di media elektronik dan nonelektronik.",
    6: "Laksanakan SKM sesuai PermenPANRB 14/2017, publikasikan dan tindak lanjuti hasilnya.",
    7: "Publikasikan hasil SKM di lebih dari empat media.",
    8: "Susun rencana tindak lanjut hasil SKM dan selesaikan seluruhnya.",
    9: "Tindak lanjuti hasil SKM paling lambat satu bulan setelah laporannya terbit.",
    10: "Perluas jam layanan (tanpa jeda istirahat, layanan akhir pekan) sesuai kebutuhan.",
    11: "Lengkapi kode etik dengan larangan KKN dan diskriminasi, sanksi dan penghargaan.",
    12: "Tambah mekanisme motivasi pegawai (pelatihan, penghargaan, konseling).",
    13: "Tetapkan kriteria penghargaan pegawai yang memuat kinerja dan kriteria lain.",
    14: "Terapkan budaya pelayanan: seragam, tanda nama, 5S dan nilai pelayanan.",
    15: "Lengkapi fasilitas parkir: area terpisah, petugas, CCTV dan kanopi.",
    16: "Lengkapi ruang tunggu dengan mesin antrean, air minum, wifi dan titik daya.",
    17: "Lengkapi toilet pengguna: terpisah pria/wanita, wastafel dan jadwal kebersihan.",
    18: "Tambah sarana kelompok rentan: ramp, toilet disabilitas, loket prioritas, ruang laktasi.",
    19: "Lengkapi APAR, jalur evakuasi, ruang ibadah dan tempat sampah terpilah.",
    20: "Tempatkan petugas informasi khusus di front office dengan layar informasi.",
    21: "Hubungkan sistem informasi pelayanan dengan SIPP Nasional dan isi seluruh layanan.",
    22: "Integrasikan SP4N-LAPOR!, SKM dan FAQ dalam sistem informasi pendukung.",
    23: "Gunakan domain go.id resmi dan pastikan situs dapat dibuka di semua perangkat.",
    24: "Perbarui informasi daring sekurang-kurangnya setiap minggu.",
    25: "Sediakan ruang konsultasi, petugas yang ditetapkan dengan SK dan prosedur terbuka.",
    26: "Sediakan kanal pengaduan luring terpisah yang terhubung dengan SP4N-LAPOR!.",
    27: "Tindak lanjuti dan publikasikan penanganan pengaduan secara berkala.",
    28: "Selesaikan sedikitnya 90% pengaduan melalui SP4N-LAPOR!.",
    29: "Ikutsertakan inovasi pelayanan dalam kompetisi inovasi.",
    30: "Dukung keberlanjutan inovasi dengan anggaran, sarana dan tim yang ditetapkan dengan SK.",
}
# What a second evaluator adds where the level is 0 or 1.
SECOND_OPINION = "Jadikan prioritas tahun ini dan laporkan kemajuannya setiap triwulan."

# Updates by the units' operators: unit code → (operator, [(position among the unit's items
# of the anchor cycle, changes)]). "overdue" sets the target date a week before the seeding.
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)
UPDATES: dict[str, tuple[str, list[tuple[int, dict]]]] = {
    "1801-DISDUKCAPIL": (
        "operator",
        [
            (
                0,
                {
                    "status": FollowUpStatus.IN_PROGRESS,
                    "planned_action": "Menyusun rancangan "
                    "keputusan kepala dinas tentang SP bersama forum konsultasi publik.",
                    "responsible": "Kepala Bidang Pelayanan Pendaftaran Penduduk",
                },
            ),
            (
                1,
                {
                    "status": FollowUpStatus.IN_PROGRESS,
                    "planned_action": "Mengundang "
                    "akademisi dan media dalam forum konsultasi publik triwulan berikutnya.",
                    "responsible": "Sekretaris Dinas",
                },
            ),
            (
                2,
                {
                    "status": FollowUpStatus.DONE,
                    "planned_action": "Mengunggah komponen SP ke "
                    "SIPP Nasional, situs dinas, media sosial dan papan informasi.",
                    "responsible": "Pengelola SIPP",
                    "file": "laporan-publikasi-sp.pdf",
                },
            ),
            (
                3,
                {
                    "status": FollowUpStatus.IN_PROGRESS,
                    "planned_action": "Menjadwalkan peninjauan SP seluruh layanan.",
                    "responsible": "Kepala Seksi Layanan",
                    "overdue": True,
                },
            ),
        ],
    ),  # fmt: skip
    "18-DPMPTSP": (
        "operator.dpmptsp",
        [
            (
                0,
                {
                    "status": FollowUpStatus.DONE,
                    "planned_action": "SP ditetapkan dengan "
                    "Keputusan Kepala Dinas dan dipublikasikan.",
                    "responsible": "Kepala Bidang Pelayanan Perizinan",
                    "file": "sk-standar-pelayanan.pdf",
                },
            ),
            (
                1,
                {
                    "status": FollowUpStatus.NOT_POSSIBLE,
                    "status_reason": "Anggaran forum "
                    "konsultasi publik tahun ini dialihkan untuk pemulihan bencana; dijadwalkan "
                    "ulang tahun depan.",
                    "responsible": "Sekretaris Dinas",
                },
            ),
            (
                2,
                {
                    "status": FollowUpStatus.IN_PROGRESS,
                    "planned_action": "Menyusun jadwal peninjauan SP tahunan.",
                    "responsible": "Kepala Seksi Standardisasi",
                },
            ),
        ],
    ),  # fmt: skip
}


@dataclass(frozen=True, slots=True)
class FollowUpSummary:
    items: int  # follow-up items of the finished cycles
    updated: int  # of which the units have recorded something


def _scores_seed(loci: Sequence[Assessment]) -> None:
    """The team's F-02 rows of final loci that have none: final levels, recommendations."""
    scored = set(
        Score.objects.filter(assignment__assessment__in=loci).values_list(
            "assignment__assessment_id", flat=True
        )
    )
    todo = [a for a in loci if a.pk not in scored]
    if not todo:
        return
    finals: dict[int, list[tuple[int, int, int]]] = {}
    for assessment_id, indicator_id, number, level in FinalLevel.objects.filter(
        assessment__in=todo
    ).values_list("assessment_id", "indicator_id", "indicator__number", "level"):
        finals.setdefault(assessment_id, []).append((indicator_id, number, level))
    at = timezone.now()
    scores = []
    teams = EvaluatorAssignment.objects.filter(assessment__in=todo).order_by(
        "assessment_id", "-is_lead", "evaluator__username"
    )
    position: dict[int, int] = {}
    for assignment in teams:
        place = position[assignment.assessment_id] = position.get(assignment.assessment_id, -1) + 1
        for indicator_id, number, level in finals.get(assignment.assessment_id, []):
            text = ""
            if level < 5:
                text = RECOMMENDATIONS.get(number, "")
                if place == 1 and level <= 1:
                    text = SECOND_OPINION
            scores.append(
                Score(
                    assignment=assignment,
                    indicator_id=indicator_id,
                    level=level,
                    recommendation=text,
                    version=1,
                    updated_at=at,
                )
            )
    Score.objects.bulk_create(scores, ignore_conflicts=True)
    EvaluatorAssignment.objects.filter(assessment__in=todo, submitted_at__isnull=True).update(
        submitted_at=at
    )


def _update(item: FollowUpItem, by: User, changes: Mapping, today: dt.date) -> None:
    values = replace(
        FollowUpValues.of(item),
        **{k: v for k, v in changes.items() if k in FollowUpValues.__dataclass_fields__},
    )
    if changes.get("overdue"):
        values = replace(values, target_date=today - dt.timedelta(days=7))
    files = [ContentFile(PDF, name=changes["file"])] if "file" in changes else []
    followup_item_update(item=item, by=by, version=item.version, values=values, files=files)


@transaction.atomic
def followup_seed(
    *,
    cycles: Sequence[tuple[Cycle, Sequence[Assessment]]],
    anchor: Cycle,
    people: Mapping[str, User],
    today: dt.date,
    deadline: dt.date,
) -> FollowUpSummary:
    """Recommendations, follow-up items and a few units' updates for the finished `cycles`
    (each with its final loci); the updates are on the items of `anchor` (the most recent
    finished cycle, whose follow-up the next cycle shows). A cycle without a follow-up
    deadline gets `deadline`."""
    Cycle.objects.filter(pk__in=[c.pk for c, _ in cycles], followup_deadline__isnull=True).update(
        followup_deadline=deadline
    )
    loci = [a for _, assessments in cycles for a in assessments]
    _scores_seed(loci)
    for assessment in loci:
        followup_items_create(assessment=assessment)
    for unit_code, (username, updates) in UPDATES.items():
        items = list(
            FollowUpItem.objects.filter(assessment__cycle=anchor, unit__code=unit_code).order_by(
                "indicator__number"
            )
        )
        for position, changes in updates:
            if position < len(items) and items[position].version == 0:
                _update(items[position], people[username], changes, today)
    finished = FollowUpItem.objects.filter(assessment__cycle__in=[c for c, _ in cycles])
    return FollowUpSummary(items=finished.count(), updated=finished.filter(version__gt=0).count())
