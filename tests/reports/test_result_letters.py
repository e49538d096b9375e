"""Result letters: the letter's words and figures (read back with pdftotext), numbering that
survives reruns and corrections, the bundle, the document jobs and who may download what."""

import datetime as dt
import io
import re
import subprocess
from unittest import mock

from django.core.exceptions import PermissionDenied
from django.test import TestCase
from django.urls import reverse
from pypdf import PdfReader

from evaluations.models import FollowUpItem, Indicator
from reports.builders import BuildError
from reports.models import Document, DocumentKind, DocumentStatus, ResultLetter
from reports.services.documents import DocumentError, document_key, document_request
from reports.tasks import document_build
from scoring.models import Result
from tests import factories as f
from units.models import AgencyKind, Role

from .doc_factories import PUBLISHED_AT, build, scored, sha256

# The day the letters are first numbered (the clock, patched): what they are dated.
ISSUED_ON = dt.date(2023, 5, 15)


def pdftotext(content: bytes, *options: str) -> str:
    """The PDF's text as poppler's pdftotext reads it."""
    out = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", *options, "-", "-"],
        input=content,
        capture_output=True,
        check=True,
    )
    return out.stdout.decode()


def lines(content: bytes) -> list[str]:
    """The PDF's lines as laid out on the page (table rows stay rows), spaces collapsed,
    blank lines left out."""
    return [" ".join(line.split()) for line in pdftotext(content, "-layout").splitlines()
            if line.strip()]  # fmt: skip


def prose(content: bytes) -> str:
    """The PDF's words in reading order, one space apart (paragraphs across line breaks)."""
    return " ".join(pdftotext(content).split())


def pages(content: bytes) -> int:
    return len(PdfReader(io.BytesIO(content)).pages)


def issuing_on(day: dt.date = ISSUED_ON):
    """The clock on `day` (10:00 in Jakarta), when letters are numbered and dated."""
    at = dt.datetime.combine(day, dt.time(3, 0), tzinfo=dt.UTC)
    return mock.patch("django.utils.timezone.now", return_value=at)


class LetterWorld(TestCase):
    """PEKPPP Nasional 2023 of Kementerian PANRB, published on 12 May 2023:

    | agency (head of it)                  | unit                        | IPP  | grade | rank  |
    | Kementerian Hukum (—)                | Kantor Imigrasi Lampung     | 4.75 | A     | 1 / 1 |
    | Pemerintah Kabupaten Lampung Selatan | Disdukcapil Lampung Selatan | 4.60 | A     | 1 / 4 |
    | (Bupati Lampung Selatan)             | RSUD Bob Bazar Kalianda     | 3.35 | B-    | 3 / 4 |
    |                                      | DPMPTSP Lampung Selatan     | 2.90 | C     | 4 / 4 |
    | Pemerintah Kabupaten Tanggamus (—)   | Disdukcapil Tanggamus       | 3.50 | B-    | 2 / 4 |

    RSUD has seven recommendations (final levels 2, 1, 3, 2, 4, 1, 3 on indicators 1–7),
    Disdukcapil Lampung Selatan one, DPMPTSP none.
    """

    @classmethod
    def setUpTestData(cls):
        cls.admin = f.make_user(
            "admin-surat", full_name="Dra. Sri Wahyuni, M.Si.", nip="197501012000032001"
        )
        f.grant(cls.admin, Role.MINISTRY_ADMIN)
        lampung = f.make_province("Lampung", "18")
        kemenpan = f.make_agency("Kementerian PANRB", AgencyKind.KEMENTERIAN, code="KEMENPANRB")
        kemenpan.head_title = "Menteri Pendayagunaan Aparatur Negara dan Reformasi Birokrasi"
        kemenpan.save()
        cls.kemenkum = f.make_agency("Kementerian Hukum", AgencyKind.KEMENTERIAN)
        cls.lamsel = f.make_agency(
            "Pemerintah Kabupaten Lampung Selatan", AgencyKind.KABUPATEN, lampung
        )
        cls.lamsel.head_title = "Bupati Lampung Selatan"
        cls.lamsel.save()
        cls.tanggamus = f.make_agency(
            "Pemerintah Kabupaten Tanggamus", AgencyKind.KABUPATEN, lampung
        )
        cls.instrument = f.make_instrument("SURAT-UJI")
        cls.cycle = f.make_cycle(
            cls.instrument, year=2023, owner=kemenpan, name="PEKPPP Nasional 2023"
        )
        cls.cycle.followup_deadline = dt.date(2023, 9, 30)
        cls.cycle.save()
        scored(cls.cycle, cls.kemenkum, "Kantor Imigrasi Lampung", "4.75")
        cls.disdukcapil = scored(cls.cycle, cls.lamsel, "Disdukcapil Lampung Selatan", "4.60")
        cls.rsud = scored(cls.cycle, cls.lamsel, "RSUD Bob Bazar Kalianda", "3.35")
        scored(cls.cycle, cls.lamsel, "DPMPTSP Lampung Selatan", "2.90")
        scored(cls.cycle, cls.tanggamus, "Disdukcapil Tanggamus", "3.50")
        for number, level in enumerate((2, 1, 3, 2, 4, 1, 3), start=1):
            cls.recommend(cls.rsud, number, level, f"Rekomendasi RSUD indikator {number}.")
        cls.recommend(cls.disdukcapil, 3, 4, "Perbarui maklumat pelayanan.")
        cls.publication = f.publish(cls.cycle, cls.admin, at=PUBLISHED_AT)

        cls.coordinator = f.make_user("koordinator-lamsel")
        f.grant(cls.coordinator, Role.COORDINATOR, agency=cls.lamsel)
        cls.leader = f.make_user("bupati-lamsel")
        f.grant(cls.leader, Role.LEADERSHIP, agency=cls.lamsel)
        cls.operator = f.make_user("operator-rsud")
        f.grant(cls.operator, Role.UNIT_OPERATOR, unit=cls.rsud.unit)
        cls.other_leader = f.make_user("bupati-tanggamus")
        f.grant(cls.other_leader, Role.LEADERSHIP, agency=cls.tanggamus)
        cls.outsider = f.make_user("orang-luar-surat")

    @classmethod
    def recommend(cls, assessment, number: int, level: int, text: str) -> FollowUpItem:
        return FollowUpItem.objects.create(
            assessment=assessment,
            unit=assessment.unit,
            indicator=Indicator.objects.get(instrument=cls.instrument, number=number),
            level=level,
            recommendation=text,
        )

    def letter(self, agency=None, publication=None) -> tuple[str, bytes]:
        """Build the result letter to `agency` (Lampung Selatan): its download name and bytes."""
        with issuing_on():
            built, content, _calls = build(
                DocumentKind.RESULT_LETTER,
                cycle=self.cycle,
                publication=publication or self.publication,
                agency=agency or self.lamsel,
            )
        return built.filename, content

    def bundle(self) -> tuple[str, bytes, list]:
        with issuing_on():
            built, content, calls = build(
                DocumentKind.RESULT_LETTERS, cycle=self.cycle, publication=self.publication
            )
        return built.filename, content, calls


class ResultLetterTextTest(LetterWorld):
    def test_it_writes_the_letterhead_the_numbers_and_the_addressee(self):
        name, content = self.letter()
        self.assertEqual(
            name, "surat-hasil-pekppp-nasional-2023-pemerintah-kabupaten-lampung-selatan.pdf"
        )
        self.assertEqual(
            lines(content)[:11],
            [
                "KEMENTERIAN PANRB",
                "Pemantauan dan Evaluasi Kinerja Penyelenggaraan Pelayanan Publik",
                "Portal PEKPPP · http://127.0.0.1:8000",
                f"Nomor : B/1/PEKPPP.{self.cycle.pk}/2023 15 Mei 2023",
                "Sifat : Biasa",
                "Lampiran : 1 (satu) berkas",
                "Hal : Penyampaian Hasil Evaluasi Kinerja Penyelenggaraan Pelayanan Publik Tahun",
                "2023",
                "Yth. Bupati Lampung Selatan",
                "di",
                "Tempat",
            ],
        )
        text = prose(content)
        self.assertIn(
            "Dalam rangka pelaksanaan Pemantauan dan Evaluasi Kinerja Penyelenggaraan Pelayanan "
            "Publik (PEKPPP) Tahun 2023 sebagaimana diamanatkan Undang-Undang Nomor 25 Tahun 2009 "
            "tentang Pelayanan Publik, Kementerian PANRB telah melaksanakan evaluasi (PEKPPP "
            "Nasional 2023) terhadap unit penyelenggara pelayanan publik di lingkungan Pemerintah "
            "Kabupaten Lampung Selatan. "
            "Hasil evaluasi tersebut telah ditetapkan dan dipublikasikan pada tanggal 12 Mei 2023.",
            text,
        )
        self.assertNotIn("menggantikan", text)

    def test_it_tabulates_each_units_ipp_grade_and_rank(self):
        content = self.letter()[1]
        rows = lines(content)
        table = rows[rows.index("No. Unit penyelenggara pelayanan publik IPP Predikat dalam") :]
        self.assertEqual(
            table[2:8],
            [
                "1 Disdukcapil Lampung Selatan 4,60 A 1 dari 4",
                "Pelayanan Prima Kabupaten/Kota",
                "2 RSUD Bob Bazar Kalianda 3,35 B- 3 dari 4",
                "Baik (Dengan Catatan) Kabupaten/Kota",
                "3 DPMPTSP Lampung Selatan 2,90 C 4 dari 4",
                "Cukup Kabupaten/Kota",
            ],
        )
        text = prose(content)
        self.assertNotIn("Tanggamus", text)
        self.assertIn(
            "Rekomendasi utama bagi setiap unit tercantum dalam lampiran surat ini. Kami mohon "
            "Saudara berkenan menginstruksikan unit-unit tersebut untuk menindaklanjuti "
            "rekomendasi dimaksud dan melaporkan pelaksanaannya melalui Portal PEKPPP paling "
            "lambat tanggal 30 September 2023.",
            text,
        )

    def test_it_lists_at_most_five_recommendations_per_unit_lowest_level_first(self):
        rows = lines(self.letter()[1])
        attachment = rows[rows.index("REKOMENDASI UTAMA HASIL EVALUASI") - 3 :]
        self.assertEqual(
            attachment[:15],
            [
                "Lampiran surat Kementerian PANRB",
                f"Nomor : B/1/PEKPPP.{self.cycle.pk}/2023",
                "Tanggal : 15 Mei 2023",
                "REKOMENDASI UTAMA HASIL EVALUASI",
                "Pemerintah Kabupaten Lampung Selatan · PEKPPP Nasional 2023",
                "1. Disdukcapil Lampung Selatan",
                "IPP 4,60 · predikat A, Pelayanan Prima",
                "No. Indikator Tingkat Rekomendasi",
                "1 3. Indikator 3 4 Perbarui maklumat pelayanan.",
                "2. RSUD Bob Bazar Kalianda",
                "IPP 3,35 · predikat B-, Baik (Dengan Catatan)",
                "No. Indikator Tingkat Rekomendasi",
                # Levels 1, 1, 2, 2, 3: indicators 7 (level 3) and 5 (level 4) are left out.
                "1 2. Indikator 2 1 Rekomendasi RSUD indikator 2.",
                "2 6. Indikator 6 1 Rekomendasi RSUD indikator 6.",
                "3 1. Indikator 1 2 Rekomendasi RSUD indikator 1.",
            ],
        )
        self.assertEqual(
            attachment[15:21],
            [
                "4 4. Indikator 4 2 Rekomendasi RSUD indikator 4.",
                "5 3. Indikator 3 3 Rekomendasi RSUD indikator 3.",
                "Ditambah 2 rekomendasi lain pada register tindak lanjut unit ini.",
                "3. DPMPTSP Lampung Selatan",
                "IPP 2,90 · predikat C, Cukup",
                "Tidak ada rekomendasi untuk unit ini.",
            ],
        )

    def test_it_is_signed_on_behalf_of_the_cycles_owner_by_the_publisher(self):
        rows = lines(self.letter()[1])
        signature = [
            "a.n. Menteri Pendayagunaan Aparatur",
            "Negara dan Reformasi Birokrasi,",
            "Dra. Sri Wahyuni, M.Si.",
            "NIP 197501012000032001",
        ]
        closing = rows.index("kasih.")  # "… kami ucapkan terima / kasih."
        self.assertEqual(rows[closing + 1 : closing + 5], signature)
        self.assertEqual(rows[-4:], signature)  # again under the attachment

    def test_it_addresses_the_agencys_leader_and_gives_three_months_without_a_deadline(self):
        self.cycle.followup_deadline = None
        self.cycle.save()
        content = self.letter(self.tanggamus)[1]
        rows = lines(content)
        self.assertIn("Yth. Pimpinan Pemerintah Kabupaten Tanggamus", rows)
        self.assertIn("1 Disdukcapil Tanggamus 3,50 B- 2 dari 4", rows)
        self.assertIn(
            "melaporkan pelaksanaannya melalui Portal PEKPPP paling lambat 3 (tiga) bulan sejak "
            "tanggal surat ini.",
            prose(content),
        )

    def test_it_keeps_a_long_unit_name_and_thirty_units_inside_the_page(self):
        long_name = "Dinas Kependudukan dan Pencatatan Sipil " * 5 + "Kabupaten Lampung Selatan"
        scored(self.cycle, self.lamsel, long_name, "3.10")
        for n in range(1, 30):
            scored(self.cycle, self.lamsel, f"Puskesmas Kecamatan Nomor {n}", "3.10")
        publication = f.publish(self.cycle, self.admin, reason="Unit tambahan.", at=PUBLISHED_AT)
        content = self.letter(publication=publication)[1]
        text = prose(content)
        self.assertIn(long_name, text)
        self.assertIn("33 DPMPTSP Lampung Selatan 2,90 C 34 dari 34", lines(content))
        # Every word inside the page's margins: pdftotext -bbox gives each word's box in
        # points (A4 is 595.28 pt wide; the margins are 25 mm left, 20 mm right).
        boxes = pdftotext(content, "-bbox")
        left = [float(x) for x in re.findall(r'xMin="([\d.]+)"', boxes)]
        right = [float(x) for x in re.findall(r'xMax="([\d.]+)"', boxes)]
        millimetre = 72 / 25.4
        self.assertGreaterEqual(min(left), 25 * millimetre - 0.5)
        self.assertLessEqual(max(right), 595.28 - 20 * millimetre + 0.5)


class ResultLetterNumberTest(LetterWorld):
    def test_it_keeps_the_number_and_the_bytes_on_rerun(self):
        first = self.letter()[1]
        with issuing_on(dt.date(2023, 6, 1)):  # a rebuild days later: still the same letter
            second = build(
                DocumentKind.RESULT_LETTER,
                cycle=self.cycle,
                publication=self.publication,
                agency=self.lamsel,
            )[1]
        self.assertEqual(sha256(first), sha256(second))
        letter = ResultLetter.objects.get()
        self.assertEqual(
            (letter.number, letter.issued_on, letter.sha256),
            (f"B/1/PEKPPP.{self.cycle.pk}/2023", ISSUED_ON, sha256(first)),
        )
        with letter.file.open("rb") as stored:
            self.assertEqual(stored.read(), first)

    def test_it_numbers_the_rest_in_order_of_province_and_name(self):
        self.letter(self.tanggamus)
        self.bundle()
        self.assertEqual(
            list(ResultLetter.objects.values_list("agency__name", "sequence")),
            [
                ("Pemerintah Kabupaten Tanggamus", 1),
                ("Kementerian Hukum", 2),  # no province: first
                ("Pemerintah Kabupaten Lampung Selatan", 3),
            ],
        )

    def test_a_correction_gives_a_new_letter_that_names_the_one_it_replaces(self):
        self.letter()
        Result.objects.filter(assessment=self.rsud).update(
            ipp="3.55", grade="B", grade_label="Baik"
        )
        correction = f.publish(
            self.cycle, self.admin, reason="Salah input indikator 4.", at=PUBLISHED_AT
        )
        with issuing_on(dt.date(2023, 7, 3)):
            content = build(
                DocumentKind.RESULT_LETTER,
                cycle=self.cycle,
                publication=correction,
                agency=self.lamsel,
            )[1]
        rows = lines(content)
        self.assertEqual(rows[3], f"Nomor : B/2/PEKPPP.{self.cycle.pk}/2023 3 Juli 2023")
        self.assertIn("2 RSUD Bob Bazar Kalianda 3,55 B 2 dari 4", rows)
        self.assertIn(
            f"Surat ini menggantikan surat Nomor B/1/PEKPPP.{self.cycle.pk}/2023 tanggal "
            "15 Mei 2023, karena hasil evaluasi telah dikoreksi (publikasi revisi 2). "
            "Alasan koreksi: Salah input indikator 4.",
            prose(content),
        )
        self.assertEqual(ResultLetter.objects.count(), 2)

    def test_it_refuses_a_superseded_publication_or_an_agency_outside_it(self):
        correction = f.publish(self.cycle, self.admin, reason="Koreksi.", at=PUBLISHED_AT)
        with self.assertRaisesMessage(BuildError, "sudah digantikan"):
            self.letter()
        metro = f.make_agency("Pemerintah Kota Metro", AgencyKind.KOTA)
        with self.assertRaisesMessage(BuildError, "Tidak ada unit instansi ini"):
            self.letter(metro, publication=correction)
        self.assertFalse(ResultLetter.objects.exists())


class ResultLetterBundleTest(LetterWorld):
    def test_it_bundles_one_letter_per_agency_in_number_order(self):
        name, content, calls = self.bundle()
        self.assertEqual(name, "surat-hasil-pekppp-nasional-2023.pdf")
        letters = list(ResultLetter.objects.order_by("sequence"))
        self.assertEqual(len(letters), 3)
        self.assertEqual(calls, [(1, 4), (2, 4), (3, 4), (4, 4)])
        text = pdftotext(content)
        self.assertEqual(text.count("Penyampaian Hasil Evaluasi Kinerja"), 3)
        addressed = [text.index(f"Yth. {who}\n") for who in (
            "Pimpinan Kementerian Hukum",
            "Bupati Lampung Selatan",
            "Pimpinan Pemerintah Kabupaten Tanggamus",
        )]  # fmt: skip
        self.assertEqual(addressed, sorted(addressed))
        # Each letter is its stored file; the bundle is their pages in order.
        stored = []
        for letter in letters:
            with letter.file.open("rb") as handle:
                stored.append(handle.read())
            self.assertEqual(sha256(stored[-1]), letter.sha256)
        self.assertEqual(pages(content), sum(pages(part) for part in stored))

    def test_it_builds_identical_bundles_on_rerun(self):
        first = self.bundle()[1]
        numbers = list(ResultLetter.objects.values_list("pk", "number", "sha256"))
        self.assertEqual(sha256(self.bundle()[1]), sha256(first))
        self.assertEqual(list(ResultLetter.objects.values_list("pk", "number", "sha256")), numbers)


class ResultLetterJobTest(LetterWorld):
    def request(self, kind=DocumentKind.RESULT_LETTER, user=None, **target) -> Document:
        if kind == DocumentKind.RESULT_LETTER:
            target.setdefault("agency", self.lamsel)
        with self.captureOnCommitCallbacks(execute=False):
            return document_request(user=user or self.admin, kind=kind, cycle=self.cycle, **target)

    def run_job(self, document: Document) -> Document:
        with issuing_on():
            document_build.apply(args=[document.pk])
        document.refresh_from_db()
        return document

    def test_it_runs_the_letter_job_once_and_again_identically(self):
        with self.captureOnCommitCallbacks() as sent:
            document = document_request(
                user=self.admin, kind=DocumentKind.RESULT_LETTER, cycle=self.cycle,
                agency=self.lamsel,
            )  # fmt: skip
        self.assertEqual(len(sent), 1)
        self.assertEqual(document.status, DocumentStatus.QUEUED)
        self.assertEqual(document.key, f"result_letter:p{self.publication.pk}:a0:i{self.lamsel.pk}")
        self.assertEqual(self.request().pk, document.pk)  # same request, same job
        self.assertEqual(
            self.request(agency=self.tanggamus).key,
            f"result_letter:p{self.publication.pk}:a0:i{self.tanggamus.pk}",
        )
        done = self.run_job(document)
        self.assertEqual(done.status, DocumentStatus.DONE, done.error)
        self.assertEqual((done.progress_done, done.progress_total), (1, 1))
        letter = ResultLetter.objects.get(agency=self.lamsel)
        self.assertEqual(done.sha256, letter.sha256)
        Document.objects.filter(pk=done.pk).update(status=DocumentStatus.QUEUED)
        again = self.run_job(done)
        self.assertEqual((again.status, again.attempts), (DocumentStatus.DONE, 2))
        self.assertEqual((again.sha256, again.file.name), (done.sha256, done.file.name))

    def test_it_runs_the_bundle_job(self):
        document = self.run_job(self.request(DocumentKind.RESULT_LETTERS))
        self.assertEqual(document.status, DocumentStatus.DONE, document.error)
        self.assertEqual(document.key, f"result_letters:p{self.publication.pk}:a0")
        self.assertEqual((document.progress_done, document.progress_total), (4, 4))
        self.assertEqual(ResultLetter.objects.exclude(file="").count(), 3)

    def test_it_fails_the_job_of_a_superseded_publication_with_the_reason(self):
        document = self.request()
        f.publish(self.cycle, self.admin, reason="Koreksi.", at=PUBLISHED_AT)
        failed = self.run_job(document)
        self.assertEqual(failed.status, DocumentStatus.FAILED)
        self.assertEqual(
            failed.error, "Publikasi revisi 1 sudah digantikan revisi yang lebih baru."
        )
        self.assertFalse(ResultLetter.objects.exists())

    def test_it_refuses_requests_it_cannot_honour(self):
        with self.assertRaisesMessage(DocumentError, "Instansi tujuan surat wajib dipilih."):
            self.request(agency=None)
        metro = f.make_agency("Pemerintah Kota Metro", AgencyKind.KOTA)
        with self.assertRaisesMessage(DocumentError, "Tidak ada unit instansi ini"):
            self.request(agency=metro)
        for user in (self.coordinator, self.leader):
            with self.assertRaises(PermissionDenied):
                self.request(user=user)
        self.assertFalse(Document.objects.exists())


class ResultLetterDownloadTest(LetterWorld):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        with issuing_on():
            for kind, agency in (
                (DocumentKind.RESULT_LETTER, cls.lamsel),
                (DocumentKind.RESULT_LETTERS, None),
            ):
                document = Document.objects.create(
                    key=f"{kind}-download",
                    kind=kind,
                    cycle=cls.cycle,
                    publication=cls.publication,
                    agency=agency,
                    requested_by=cls.admin,
                )
                document_build.apply(args=[document.pk])
        cls.one = Document.objects.get(kind=DocumentKind.RESULT_LETTER)
        cls.all = Document.objects.get(kind=DocumentKind.RESULT_LETTERS)
        cls.own = ResultLetter.objects.get(agency=cls.lamsel)

    def status(self, user, url) -> int:
        self.client.logout()
        if user is not None:
            self.client.force_login(user)
        return self.client.get(url).status_code

    def test_it_walks_the_permission_triads(self):
        one = reverse("reports:document_download", args=[self.one.pk])
        bundle = reverse("reports:document_download", args=[self.all.pk])
        own = reverse("reports:result_letter_download", args=[self.own.pk])
        for url in (one, bundle, own):
            with self.subTest(url=url):
                response = self.client.get(url)
                self.assertRedirects(response, f"{reverse('login')}?next={url}")
        expected = {
            # person: (the agency's letter job, the bundle, the agency's stored letter)
            "outsider": (404, 404, 404),
            "operator": (404, 404, 404),  # of a unit of the agency: not addressed to them
            "other_leader": (404, 404, 404),
            "coordinator": (200, 404, 200),
            "leader": (200, 404, 200),
            "admin": (200, 200, 200),
        }
        for who, codes in expected.items():
            with self.subTest(who=who):
                user = getattr(self, who)
                self.assertEqual(tuple(self.status(user, u) for u in (one, bundle, own)), codes)

    def test_it_serves_the_agencys_letter_as_built(self):
        self.client.force_login(self.leader)
        response = self.client.get(reverse("reports:result_letter_download", args=[self.own.pk]))
        content = b"".join(response.streaming_content)
        self.assertEqual(sha256(content), self.own.sha256)
        self.assertEqual(response["Content-Type"], "application/pdf")
        self.assertEqual(
            response["Content-Disposition"],
            f'attachment; filename="surat-B-1-PEKPPP.{self.cycle.pk}-2023.pdf"',
        )

    def test_it_lists_each_persons_letters(self):
        url = reverse("reports:result_letter_list")
        self.assertEqual(self.status(self.outsider, url), 403)
        self.assertEqual(self.status(self.operator, url), 403)
        self.client.force_login(self.other_leader)
        response = self.client.get(url)
        self.assertContains(response, "Pemerintah Kabupaten Tanggamus")
        self.assertNotContains(response, "Bupati")
        self.assertNotContains(response, "Pemerintah Kabupaten Lampung Selatan")
        self.client.force_login(self.leader)
        with self.assertNumQueries(5):  # session, user, roles, one page of letters, the bell
            response = self.client.get(url)
        self.assertContains(response, self.own.number)
        self.assertContains(response, reverse("reports:result_letter_download", args=[self.own.pk]))
        self.assertNotContains(response, "Tanggamus")
        self.assertContains(response, "ditujukan kepada pimpinan instansi Anda")
        self.client.force_login(self.admin)
        response = self.client.get(url)
        self.assertContains(response, "Semua surat penyampaian hasil evaluasi yang sudah dibuat")
        for letter in ResultLetter.objects.all():
            self.assertContains(
                response, reverse("reports:result_letter_download", args=[letter.pk]), count=1
            )


class ResultLetterPagesTest(LetterWorld):
    def page(self):
        return reverse("reports:document_list", args=[self.cycle.pk])

    def create(self, **data):
        url = reverse("reports:document_create", args=[self.cycle.pk])
        with self.captureOnCommitCallbacks(execute=False):
            return self.client.post(url, data, follow=True)

    def test_it_offers_the_letters_on_the_documents_page(self):
        self.client.force_login(self.admin)
        response = self.client.get(self.page())
        self.assertContains(response, 'name="jenis" value="result_letters"', count=1)
        self.assertContains(response, 'name="jenis" value="result_letter"', count=1)
        for agency in (self.kemenkum, self.lamsel, self.tanggamus):
            self.assertContains(response, f'<option value="{agency.pk}">{agency.name}</option>')
        self.assertContains(response, "Belum ada surat.")

    def test_it_requests_one_agencys_letter_once(self):
        self.client.force_login(self.admin)
        for _ in range(2):
            response = self.create(jenis="result_letter", instansi=self.lamsel.pk)
            self.assertRedirects(response, self.page())
        document = Document.objects.get()
        self.assertEqual(
            (document.kind, document.agency, document.publication),
            (DocumentKind.RESULT_LETTER, self.lamsel, self.publication),
        )
        self.assertContains(response, "Pemerintah Kabupaten Lampung Selatan</small>")

    def test_it_says_what_is_wrong_with_the_agency(self):
        self.client.force_login(self.admin)
        metro = f.make_agency("Pemerintah Kota Metro", AgencyKind.KOTA)
        for value, message in (
            ("", "Pilih instansi tujuan surat."),
            ("abc", "Pilih instansi yang unitnya termasuk dalam publikasi hasil periode ini."),
            ("9" * 30, "Pilih instansi yang unitnya termasuk dalam publikasi hasil periode ini."),
            (metro.pk, "Pilih instansi yang unitnya termasuk dalam publikasi hasil periode ini."),
        ):
            with self.subTest(value=value):
                response = self.create(jenis="result_letter", instansi=value)
                self.assertContains(response, message)
        self.assertFalse(Document.objects.exists())

    def test_it_lists_the_letters_and_retries_a_failed_one_for_its_agency(self):
        with issuing_on():
            build(DocumentKind.RESULT_LETTERS, cycle=self.cycle, publication=self.publication)
        failed = Document.objects.create(
            key=document_key(
                DocumentKind.RESULT_LETTER, self.publication.pk, None, self.tanggamus.pk
            ),
            kind=DocumentKind.RESULT_LETTER,
            cycle=self.cycle,
            publication=self.publication,
            agency=self.tanggamus,
            status=DocumentStatus.FAILED,
            error="Rusak.",
            requested_by=self.admin,
        )
        self.client.force_login(self.admin)
        self.client.get(self.page())  # warm the session
        with self.assertNumQueries(10):  # user, cycle, roles, jobs, publication, 2 counts,
            # the agencies to address, one page of letters, the bell
            response = self.client.get(self.page())
        for letter in ResultLetter.objects.all():
            self.assertContains(
                response, f'data-label="Nomor surat">{letter.number}</td>', count=1
            )
            self.assertContains(
                response, reverse("reports:result_letter_download", args=[letter.pk]), count=1
            )
        self.assertContains(
            response, f'<input type="hidden" name="instansi" value="{self.tanggamus.pk}">'
        )
        response = self.create(jenis="result_letter", instansi=self.tanggamus.pk)
        failed.refresh_from_db()
        self.assertEqual((failed.status, failed.error), (DocumentStatus.QUEUED, ""))
