from django.conf import settings
from django.core.management.base import BaseCommand

from pekppp.demo.data import seed_demo


class Command(BaseCommand):
    help = (
        "Create or restore the demo data set (Provinsi Lampung, Nasional and Mandiri cycles of "
        "the current year with every phase open around today and F-03 answers at two loci, "
        "finished Nasional 2023 and 2022 cycles with results and follow-up items, one log-in per "
        "role); safe to run "
        "repeatedly."
    )

    def handle(self, *args, **options):
        summary = seed_demo()
        self.stdout.write(
            f"Data demo siap: {summary.agencies} instansi, {summary.units} unit, "
            f"{summary.cycles} periode, {summary.assessments} lokus, "
            f"{summary.assignments} penugasan evaluator, {summary.users} pengguna "
            f"(instrumen {', '.join(summary.instruments)})."
        )
        self.stdout.write(
            f"Periode berjalan {summary.year} (Nasional dan Mandiri): semua tahap dibuka "
            f"{summary.open_from:%d-%m-%Y} s.d. {summary.open_until:%d-%m-%Y}."
        )
        history = summary.history
        grades = ", ".join(f"{grade} {count}" for grade, count in history.grades)
        self.stdout.write(
            f"Hasil {history.year}: {grades}; IPP nasional rata-rata {history.national_ipp}."
        )
        self.stdout.write(
            f"Tindak lanjut periode selesai: {summary.followup.items} butir rekomendasi, "
            f"{summary.followup.updated} sudah diperbarui unit (/tindak-lanjut/)."
        )
        for locus in summary.survey:
            state = "dihitung" if locus.counted else "belum dihitung"
            link = f"{settings.SITE_URL}{locus.link}" if locus.link else "belum ada tautan"
            self.stdout.write(
                f"Survei F-03 {summary.year}, {locus.unit}: {locus.respondents} responden "
                f"({locus.online} daring, {locus.paper} kertas; minimum {locus.minimum}, "
                f"{state}), {link}"
            )
        if summary.priority:
            p = summary.priority
            self.stdout.write(
                f"UPP prioritas pembinaan {p.cycle}: {p.confirmed} ditetapkan, {p.proposed} "
                f"usulan, {p.sessions} sesi pendampingan."
            )
        rows = [("Peran", "Nama pengguna", "Kata sandi", "Yang terlihat")]
        rows += [(x.role, x.username, x.password, x.sees) for x in summary.logins]
        widths = [max(len(row[i]) for row in rows) for i in range(3)]
        self.stdout.write("\nAkun demo:")
        for role, username, password, sees in rows:
            self.stdout.write(
                f"  {role:<{widths[0]}}  {username:<{widths[1]}}  {password:<{widths[2]}}  {sees}"
            )
