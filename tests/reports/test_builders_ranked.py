import io
import zipfile
from decimal import Decimal

from django.utils import timezone
from openpyxl import load_workbook
from pypdf import PdfReader

from reports.builders import BuildError
from reports.builders import ranked as ranked_module
from reports.models import DocumentKind
from tests import factories as f
from tests.scoring.factories import make_ranked_units
from units.models import AgencyKind

from .doc_factories import PUBLISHED_AT, PublishedWorldTestCase, build, pdf_text, sha256

RANK_PAD = "\u2007"  # ranks are right-aligned with figure spaces


class RankedPdfTest(PublishedWorldTestCase):
    def test_it_prints_the_cover_summary_and_each_group_by_rank(self):
        built, content, calls = build(
            DocumentKind.RANKED_REPORT_PDF, cycle=self.cycle, publication=self.publication
        )
        self.assertEqual(built.filename, "peringkat-pekppp-nasional-2023.pdf")
        text = pdf_text(content)
        self.assertIn("Laporan Peringkat Indeks Pelayanan\nPublik\nPEKPPP Nasional 2023", text)
        self.assertIn("Revisi publikasi 1", text)
        self.assertIn("Tanggal publikasi 12 Mei 2023", text)
        self.assertIn("IPP nasional 3,93", text)
        # Summary tables: grade distribution and IPP per group (3.93 national; Kab/Kota 3.67).
        self.assertIn("A Pelayanan Prima 2", text)
        self.assertIn("Kabupaten/Kota 3 3,67", text)
        self.assertIn("Kementerian/Lembaga 1 4,75", text)
        # One table per group, by rank: rank, unit, agency, aspects, IPP, grade.
        kabkota = text.index("Kabupaten/Kota: 3 unit")
        self.assertLess(text.index("Kementerian/Lembaga: 1 unit"), kabkota)
        self.assertIn("I II III IV V VI Survei Resp. Unit / Instansi", text)
        # Columns: rank, IPP, grade, aspects I–VI, survey index ("—" when it did not count)
        # and respondents, then the unit and its agency.
        self.assertIn(
            f"{RANK_PAD * 4}1 4,60 A 4,79 4,50 4,61 4,40 4,70 4,55 4,52 12 "
            "Disdukcapil Lampung Selatan\nPemerintah Kabupaten Lampung Selatan",
            text,
        )
        self.assertIn(f"{RANK_PAD * 4}2 3,50 B- {'3,50 ' * 6}— 7 Disdukcapil Tanggamus\n", text)
        order = [text.index(n, kabkota) for n in ("Lampung Selatan", "Tanggamus", "Pesawaran")]
        self.assertEqual(order, sorted(order))
        self.assertIn(f"{RANK_PAD * 4}3 2,90 C {'2,90 ' * 6}— 0 RSUD Pesawaran", text)
        # The cover says what the two columns are and how the survey entered the IPP.
        self.assertIn(
            "Periode ini: σ = 0,25, minimum 10 responden. Survei dihitung pada 1 dari 5 unit.",
            text,
        )
        self.assertEqual(calls[-1], (calls[-1][1], calls[-1][1]))

    def test_it_builds_identical_files_on_rerun(self):
        first = build(
            DocumentKind.RANKED_REPORT_PDF, cycle=self.cycle, publication=self.publication
        )
        second = build(
            DocumentKind.RANKED_REPORT_PDF, cycle=self.cycle, publication=self.publication
        )
        self.assertEqual(sha256(first[1]), sha256(second[1]))

    def test_it_uses_the_current_publication_when_the_document_names_none(self):
        built, content, _calls = build(DocumentKind.RANKED_REPORT_PDF, cycle=self.cycle)
        self.assertIn("Revisi publikasi 1", pdf_text(content))

    def test_it_refuses_an_unpublished_cycle(self):
        unpublished = f.make_cycle(self.instrument, year=2024)
        with self.assertRaisesMessage(BuildError, "belum dipublikasikan"):
            build(DocumentKind.RANKED_REPORT_PDF, cycle=unpublished)


class RankedPdfChunksTest(PublishedWorldTestCase):
    """A group longer than one chunk is split across WeasyPrint documents and merged."""

    def test_it_renders_a_long_group_in_chunks_with_continuous_pages(self):
        agency = f.make_agency("Pemerintah Kota Uji", AgencyKind.KOTA)
        cycle = f.make_cycle(self.instrument, year=2024, name="PEKPPP Nasional 2024")
        count = ranked_module.CHUNK_ROWS + 20
        make_ranked_units(
            cycle,
            [Decimal("4.99") - Decimal("0.01") * (i // 2) for i in range(count)],
            agency=agency,
            service_type=f.make_service_type(),
            prefix="Unit Kota",
        )
        publication = f.publish(cycle, self.admin, at=PUBLISHED_AT)
        built, content, calls = build(
            DocumentKind.RANKED_REPORT_PDF, cycle=cycle, publication=publication
        )
        reader = PdfReader(io.BytesIO(content))
        footers = [p.extract_text().rsplit("Halaman ", 1)[-1].strip() for p in reader.pages[1:]]
        self.assertEqual(footers, [str(n) for n in range(2, len(reader.pages) + 1)])
        text = pdf_text(content)
        self.assertIn(f"Kabupaten/Kota: {count} unit", text)
        self.assertIn("Kabupaten/Kota (lanjutan)", text)
        # Ties share a rank: units 1 and 2 both rank 1, the last two rank count - 1.
        self.assertIn(f"{RANK_PAD * 4}1 4,99 A {'4,99 ' * 6}— 0 Unit Kota 0001", text)
        self.assertIn(f"{RANK_PAD * 4}1 4,99 A {'4,99 ' * 6}— 0 Unit Kota 0002", text)
        last = Decimal("4.99") - Decimal("0.01") * ((count - 1) // 2)
        self.assertIn(f"{RANK_PAD * 2}{count - 1} {str(last).replace('.', ',')} ", text)
        self.assertIn(f"Unit Kota {count:04d}", text)
        # Progress: the cover, two chunks, the merge.
        self.assertEqual(calls, [(1, 4), (2, 4), (3, 4), (4, 4)])


class RankedXlsxTest(PublishedWorldTestCase):
    def test_it_writes_a_summary_and_one_sheet_per_group(self):
        built, content, _calls = build(
            DocumentKind.RANKED_REPORT_XLSX, cycle=self.cycle, publication=self.publication
        )
        self.assertEqual(built.filename, "peringkat-pekppp-nasional-2023.xlsx")
        book = load_workbook(io.BytesIO(content), read_only=True)
        self.assertEqual(
            book.sheetnames, ["Ringkasan", "Kementerian-Lembaga", "Provinsi", "Kabupaten-Kota"]
        )
        summary = list(book["Ringkasan"].iter_rows(values_only=True))
        self.assertEqual(summary[0][:2], ("Periode", "PEKPPP Nasional 2023"))
        self.assertEqual(summary[4][:2], ("IPP nasional", 3.93))
        self.assertIn(("Kabupaten/Kota", 3, 3.67), [row[:3] for row in summary])
        rows = list(book["Kabupaten-Kota"].iter_rows(values_only=True))
        self.assertEqual(
            rows[0],
            (
                "Peringkat", "Unit", "Instansi", "Provinsi", "Jenis layanan",
                "I", "II", "III", "IV", "V", "VI", "IPP", "Predikat", "Kategori",
                "Peringkat nasional", "Indeks survei", "Responden",
            ),
        )  # fmt: skip
        self.assertEqual(
            rows[1],
            (
                1, "Disdukcapil Lampung Selatan", "Pemerintah Kabupaten Lampung Selatan",
                "Lampung", "Disdukcapil", 4.79, 4.5, 4.61, 4.4, 4.7, 4.55, 4.6, "A",
                "Pelayanan Prima", 2, 4.52, 12,
            ),
        )  # fmt: skip
        self.assertEqual(rows[2][-2:], (None, 7))  # Tanggamus: below m, not counted
        self.assertEqual([r[1] for r in rows[1:]], [
            "Disdukcapil Lampung Selatan", "Disdukcapil Tanggamus", "RSUD Pesawaran"
        ])  # fmt: skip

    def test_it_keeps_figures_numbers_that_the_spreadsheet_writes_in_its_language(self):
        # Numbers with a number format, never text such as "4,60": the spreadsheet program
        # shows them with the reader's own decimal mark and can still compute with them.
        content = build(
            DocumentKind.RANKED_REPORT_XLSX, cycle=self.cycle, publication=self.publication
        )[1]
        sheet = load_workbook(io.BytesIO(content))["Kabupaten-Kota"]
        ipp, aspect, survey, rank = sheet["L2"], sheet["F2"], sheet["P2"], sheet["A2"]
        for figure, value in ((ipp, 4.6), (aspect, 4.79), (survey, 4.52)):
            self.assertEqual(
                (figure.value, figure.data_type, figure.number_format), (value, "n", "0.00")
            )
        self.assertEqual((rank.value, rank.data_type), (1, "n"))

    def test_it_builds_identical_files_on_rerun(self):
        first = build(
            DocumentKind.RANKED_REPORT_XLSX, cycle=self.cycle, publication=self.publication
        )
        second = build(
            DocumentKind.RANKED_REPORT_XLSX, cycle=self.cycle, publication=self.publication
        )
        self.assertEqual(sha256(first[1]), sha256(second[1]))

    def test_it_stamps_the_publication_date_not_the_time_of_building(self):
        _built, content, _calls = build(
            DocumentKind.RANKED_REPORT_XLSX, cycle=self.cycle, publication=self.publication
        )
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            core = archive.read("docProps/core.xml").decode()
            times = {info.date_time for info in archive.infolist()}
        day = timezone.localdate(self.publication.published_at).isoformat()
        self.assertIn(f">{day}T00:00:00Z</dcterms:created>", core)
        self.assertIn(f">{day}T00:00:00Z</dcterms:modified>", core)
        self.assertEqual(times, {(1980, 1, 1, 0, 0, 0)})
