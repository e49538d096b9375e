"""Evidence: typed by content, size-limited, private, immutable revisions, safe downloads."""

import hashlib
from pathlib import Path

from django.conf import settings
from django.test import override_settings
from django.urls import reverse

from evaluations.models import (
    AssessmentStatus,
    AuditAction,
    AuditEntry,
    Clarification,
    Evidence,
    EvidenceRevision,
    Phase,
)
from evaluations.services.evidence import (
    clean_file_name,
    evidence_carry_over,
    evidence_remove,
    evidence_replace,
    evidence_upload,
)
from evaluations.services.f01 import answers_ensure
from evaluations.services.workflow import WorkflowError
from tests import factories as f
from tests.base import PersonaTestCase

from . import f01_factories as ff


def stored_files() -> set[Path]:
    root = Path(settings.PRIVATE_MEDIA_ROOT)
    return {p for p in root.rglob("*") if p.is_file()} if root.exists() else set()


class EvidenceCase(PersonaTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        f.open_window(cls.cycle, Phase.SELF_ASSESSMENT)
        answers_ensure(cls.assessment)
        cls.ind = ff.indicators(cls.assessment)

    def upload(
        self, name="SK Standar Pelayanan.pdf", data=ff.PDF_BYTES, indicator=None, title="SK SP"
    ):
        return evidence_upload(
            assessment=self.assessment,
            indicator=indicator or self.ind[0],
            file=ff.upload(name, data),
            title=title,
            by=self.operator,
        )


class UploadTest(EvidenceCase):
    def test_it_stores_a_pdf_privately_under_a_generated_name_with_its_sha256(self):
        evidence = self.upload()
        revision = evidence.revisions.get()
        self.assertEqual(revision.number, 1)
        self.assertEqual(revision.original_name, "SK Standar Pelayanan.pdf")
        self.assertEqual((revision.content_type, revision.extension), ("application/pdf", ".pdf"))
        self.assertEqual(revision.size, len(ff.PDF_BYTES))
        self.assertEqual(revision.sha256, hashlib.sha256(ff.PDF_BYTES).hexdigest())
        self.assertEqual(revision.uploaded_by, self.operator)
        self.assertRegex(
            revision.file.name, rf"^evidence/{self.assessment.pk}/[0-9a-f]{{32}}\.pdf$"
        )
        self.assertNotIn("Standar", revision.file.name)
        path = Path(revision.file.path)
        self.assertTrue(path.is_relative_to(Path(settings.PRIVATE_MEDIA_ROOT)))
        self.assertEqual(path.read_bytes(), ff.PDF_BYTES)
        self.assertEqual(evidence.title, "SK SP")
        entry = AuditEntry.objects.get(action=AuditAction.EVIDENCE)
        self.assertEqual(
            (entry.indicator, entry.actor, entry.new),
            (self.ind[0], self.operator, "SK SP: SK Standar Pelayanan.pdf (rev. 1)"),
        )
        self.assertEqual(entry.reason, f"SHA-256 {revision.sha256}")

    def test_it_stores_a_png_named_pdf_as_png(self):
        revision = self.upload("foto-ruang-tunggu.pdf", ff.PNG_BYTES).revisions.get()
        self.assertEqual((revision.content_type, revision.extension), ("image/png", ".png"))
        self.assertTrue(revision.file.name.endswith(".png"))
        self.assertEqual(revision.original_name, "foto-ruang-tunggu.pdf")

    def test_it_accepts_jpeg_docx_and_xlsx(self):
        for name, data, ext in (
            ("a.jpeg", ff.JPEG_BYTES, ".jpg"),
            ("b.docx", ff.DOCX_BYTES, ".docx"),
            ("c.xlsx", ff.XLSX_BYTES, ".xlsx"),
        ):
            with self.subTest(name=name):
                self.assertEqual(self.upload(name, data).revisions.get().extension, ext)

    def test_it_refuses_a_program_renamed_pdf_and_stores_nothing(self):
        before = stored_files()
        with self.assertRaisesMessage(
            WorkflowError, "Berkas ini sebenarnya program Windows (EXE/DLL)"
        ):
            self.upload("laporan.pdf", b"MZ" + b"\0" * 500)
        self.assertFalse(Evidence.objects.exists())
        self.assertEqual(stored_files(), before)

    @override_settings(EVIDENCE_MAX_FILE_MB=1)
    def test_it_refuses_a_file_over_the_size_limit_and_stores_nothing(self):
        before = stored_files()
        big = ff.PDF_BYTES + b"0" * (1024 * 1024)
        with self.assertRaises(WorkflowError) as caught:
            self.upload("besar.pdf", big)
        self.assertEqual(
            str(caught.exception), "Berkas terlalu besar (1,0 MB); batas per berkas 1 MB."
        )
        self.assertFalse(Evidence.objects.exists())
        self.assertFalse(EvidenceRevision.objects.exists())
        self.assertEqual(stored_files(), before)

    @override_settings(EVIDENCE_MAX_ASSESSMENT_MB=1)
    def test_it_refuses_a_file_that_takes_the_assessment_over_its_total(self):
        half = ff.PDF_BYTES + b"0" * (600 * 1024)
        self.upload("satu.pdf", half)
        with self.assertRaises(WorkflowError) as caught:
            self.upload("dua.pdf", half, indicator=self.ind[1])
        self.assertEqual(
            str(caught.exception),
            "Total bukti dukung penilaian ini akan menjadi 1,2 MB, melebihi batas 1 MB per "
            "penilaian (sudah terpakai 0,6 MB, berkas ini 0,6 MB).",
        )
        self.assertEqual(Evidence.objects.count(), 1)
        # Removed documents no longer count.
        evidence_remove(evidence=Evidence.objects.get(), by=self.operator)
        self.upload("dua.pdf", half, indicator=self.ind[1])

    def test_it_refuses_when_f01_is_not_editable(self):
        f.close_window(self.cycle, Phase.SELF_ASSESSMENT)
        with self.assertRaisesMessage(WorkflowError, "sudah ditutup"):
            self.upload()
        f.open_window(self.cycle, Phase.SELF_ASSESSMENT)
        self.assessment.status = AssessmentStatus.SUBMITTED
        self.assessment.save()
        with self.assertRaisesMessage(WorkflowError, "“Diajukan”"):
            self.upload()
        self.assertFalse(Evidence.objects.exists())

    def test_it_allows_evidence_on_a_clarified_indicator_only(self):
        f.open_window(self.cycle, Phase.CLARIFICATION)
        self.assessment.status = AssessmentStatus.CLARIFICATION
        self.assessment.save()
        Clarification.objects.create(
            assessment=self.assessment, indicator=self.ind[1], question="?", asked_by=self.evaluator
        )
        self.upload(indicator=self.ind[1])
        with self.assertRaisesMessage(WorkflowError, "tidak sedang diklarifikasi"):
            self.upload(indicator=self.ind[2])

    def test_it_cleans_the_original_name(self):
        self.assertEqual(
            clean_file_name('C:\\Users\\x\\lap"oran\r\n\u202egpj.pdf'), 'lap"orangpj.pdf'
        )
        self.assertEqual(clean_file_name("../../etc/passwd"), "passwd")
        self.assertEqual(clean_file_name("\x00"), "berkas")
        self.assertEqual(len(clean_file_name("a" * 400 + ".pdf")), 255)


class UploadViewTest(EvidenceCase):
    def url(self, indicator=None):
        return reverse(
            "evaluations:evidence_upload", args=[self.assessment.pk, (indicator or self.ind[0]).pk]
        )

    def test_it_makes_each_file_its_own_evidence(self):
        self.client.force_login(self.operator)
        response = self.client.post(
            self.url(),
            {
                "title": "",
                "files": [ff.upload("sk.pdf", ff.PDF_BYTES), ff.upload("foto.png", ff.PNG_BYTES)],
            },
        )
        self.assertRedirects(
            response,
            reverse("evaluations:f01_form", args=[self.assessment.pk]) + "#ind-1",
            fetch_redirect_response=False,
        )
        self.assertEqual(sorted(Evidence.objects.values_list("title", flat=True)), ["foto", "sk"])

    def test_it_reports_a_refused_file_with_its_message(self):
        self.client.force_login(self.operator)
        response = self.client.post(
            self.url(), {"files": [ff.upload("x.pdf", b"<html>hi</html>")]}, follow=True
        )
        self.assertContains(
            response, "x.pdf: Berkas ini sebenarnya halaman web atau berkas markup (HTML/SVG/XML)"
        )
        self.assertFalse(Evidence.objects.exists())

    def test_it_refuses_pdfs_with_active_content_and_image_bombs_naming_the_file(self):
        from pypdf.actions import JavaScript

        def open_script(writer):
            writer.add_open_action(JavaScript("app.alert(1)"))

        before = stored_files()
        self.client.force_login(self.operator)
        files = [
            ff.upload("laporan.pdf", ff.pdf_bytes(build=open_script)),
            ff.upload("denah.png", ff.image_bomb("PNG", 20000, 20000)),
        ]
        response = self.client.post(self.url(), {"files": files}, follow=True)
        self.assertContains(response, "laporan.pdf: Berkas PDF ini berisi konten aktif: JavaScript")
        self.assertContains(response, "denah.png: Gambar ini berukuran 20000 × 20000 piksel")
        self.assertFalse(Evidence.objects.exists())
        self.assertEqual(stored_files(), before)

    def test_it_refuses_a_title_with_a_nul(self):
        self.client.force_login(self.operator)
        response = self.client.post(
            self.url(),
            {"title": "SK\x00", "files": [ff.upload("sk.pdf", ff.PDF_BYTES)]},
            follow=True,
        )
        self.assertContains(response, "sk.pdf: Judul memuat karakter kendali (misalnya NUL)")
        self.assertFalse(Evidence.objects.exists())

    def test_it_walks_the_personas(self):
        def post():
            return self.client.post(self.url(), {"files": [ff.upload("sk.pdf", ff.PDF_BYTES)]})

        self.assertEqual(post().status_code, 302)  # anonymous → login
        for name, status in {
            "outsider": 404,
            "evaluator": 403,
            "leader": 403,
            "operator": 302,
        }.items():
            with self.subTest(persona=name):
                self.client.force_login(self.personas()[name])
                self.assertEqual(post().status_code, status)
        self.assertEqual(Evidence.objects.count(), 1)


class RevisionTest(EvidenceCase):
    def test_it_keeps_revision_1_when_replacing(self):
        evidence = self.upload("v1.pdf")
        first = evidence.revisions.get()
        second = evidence_replace(
            evidence=evidence, file=ff.upload("v2.png", ff.PNG_BYTES), by=self.operator
        )
        self.assertEqual(second.number, 2)
        self.assertEqual(
            list(evidence.revisions.order_by("number").values_list("number", "original_name")),
            [(1, "v1.pdf"), (2, "v2.png")],
        )
        first.refresh_from_db()
        self.assertEqual(Path(first.file.path).read_bytes(), ff.PDF_BYTES)
        self.assertEqual(Path(second.file.path).read_bytes(), ff.PNG_BYTES)
        self.assertNotEqual(first.file.name, second.file.name)
        self.assertEqual(
            list(AuditEntry.objects.filter(action=AuditAction.EVIDENCE).values_list("old", "new")),
            [("", "SK SP: v1.pdf (rev. 1)"), ("SK SP: v1.pdf (rev. 1)", "SK SP: v2.png (rev. 2)")],
        )

    def test_it_hides_removed_evidence_and_keeps_its_revisions(self):
        evidence = self.upload()
        evidence_remove(evidence=evidence, by=self.operator)
        evidence.refresh_from_db()
        self.assertIsNotNone(evidence.removed_at)
        self.assertEqual(evidence.revisions.count(), 1)
        self.client.force_login(self.operator)
        page = self.client.get(reverse("evaluations:f01_form", args=[self.assessment.pk]))
        self.assertNotContains(page, "SK Standar Pelayanan.pdf")
        with self.assertRaisesMessage(WorkflowError, "sudah dihapus"):
            evidence_replace(
                evidence=evidence, file=ff.upload("v2.pdf", ff.PDF_BYTES), by=self.operator
            )
        self.assertEqual(
            AuditEntry.objects.filter(action=AuditAction.EVIDENCE, new="Dihapus").count(), 1
        )

    def test_replace_and_remove_views_walk_the_personas(self):
        evidence = self.upload()
        replace = reverse("evaluations:evidence_replace", args=[evidence.pk])
        remove = reverse("evaluations:evidence_remove", args=[evidence.pk])
        for name, status in {"outsider": 404, "evaluator": 403}.items():
            self.client.force_login(self.personas()[name])
            self.assertEqual(
                self.client.post(replace, {"file": ff.upload("x.pdf", ff.PDF_BYTES)}).status_code,
                status,
            )
            self.assertEqual(self.client.post(remove).status_code, status)
        self.client.force_login(self.operator)
        self.assertEqual(
            self.client.post(replace, {"file": ff.upload("x.pdf", ff.PDF_BYTES)}).status_code, 302
        )
        self.assertEqual(self.client.post(remove).status_code, 302)
        evidence.refresh_from_db()
        self.assertEqual((evidence.revisions.count(), evidence.removed_at is not None), (2, True))


class DownloadTest(EvidenceCase):
    def setUp(self):
        self.revision = self.upload('Lap"oran\nKeuangan — Tahunan.pdf').revisions.get()
        self.url = reverse("evaluations:evidence_download", args=[self.revision.pk])

    def test_it_sends_the_exact_bytes_as_an_attachment_to_the_operator(self):
        self.client.force_login(self.operator)
        response = self.client.get(self.url)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(b"".join(response.streaming_content), ff.PDF_BYTES)
        self.assertEqual(response["Content-Type"], "application/pdf")
        self.assertEqual(
            response["Content-Disposition"],
            "attachment; filename*=utf-8''Lap%22oranKeuangan%20%E2%80%94%20Tahunan.pdf",
        )
        self.assertEqual(response["X-Content-Type-Options"], "nosniff")

    def test_it_names_the_download_by_the_real_type_not_the_uploaded_name(self):
        # A PDF/HTML polyglot uploaded as .html is stored as PDF; saved under its uploaded name
        # it would open in a browser as a web page and run its script.
        polyglot = ff.PDF_BYTES + b"<html><script>alert(document.cookie)</script></html>"
        pdf = self.upload("laporan-final.html", polyglot).revisions.get()
        png = self.upload("foto-ruang-tunggu.pdf", ff.PNG_BYTES).revisions.get()
        self.client.force_login(self.operator)
        for revision, query, disposition in (
            (pdf, {}, 'attachment; filename="laporan-final.html.pdf"'),
            (pdf, {"inline": "1"}, 'inline; filename="laporan-final.html.pdf"'),
            (png, {}, 'attachment; filename="foto-ruang-tunggu.pdf.png"'),
        ):
            with self.subTest(revision.original_name, **query):
                url = reverse("evaluations:evidence_download", args=[revision.pk])
                response = self.client.get(url, query)
                self.assertEqual(response["Content-Disposition"], disposition)
                self.assertEqual(response["Content-Type"], revision.content_type)
                self.assertEqual(response["X-Content-Type-Options"], "nosniff")

    def test_it_quotes_a_plain_name_safely(self):
        revision = self.upload('a"b.pdf').revisions.get()
        self.client.force_login(self.operator)
        response = self.client.get(reverse("evaluations:evidence_download", args=[revision.pk]))
        self.assertEqual(response["Content-Disposition"], 'attachment; filename="a\\"b.pdf"')

    def test_it_serves_everyone_who_can_see_the_assessment_and_404s_the_rest(self):
        unrelated = f.make_evaluator("evaluator-lain")
        f.assign(self.other_assessment, unrelated)
        expected = {
            "admin": 200,
            "evaluator": 200,
            "leader": 200,
            "operator": 200,
            "coordinator": 404,
            "outsider": 404,
        }
        for name, status in expected.items():
            with self.subTest(persona=name):
                self.client.force_login(self.personas()[name])
                self.assertEqual(self.client.get(self.url).status_code, status)
        self.client.force_login(unrelated)
        self.assertEqual(self.client.get(self.url).status_code, 404)
        self.client.logout()
        self.assertEqual(self.client.get(self.url).status_code, 302)

    def test_it_shows_a_pdf_inline_framable_only_by_the_portal(self):
        self.client.force_login(self.evaluator)
        response = self.client.get(self.url, {"inline": "1"})
        self.assertTrue(response["Content-Disposition"].startswith("inline; filename*=utf-8''"))
        self.assertEqual(response["Content-Security-Policy"], "frame-ancestors 'self'")
        self.assertEqual(response["X-Frame-Options"], "SAMEORIGIN")
        self.assertEqual(response["X-Content-Type-Options"], "nosniff")

    def test_it_shows_an_image_inline_with_no_active_content(self):
        revision = self.upload("foto.png", ff.PNG_BYTES).revisions.get()
        self.client.force_login(self.evaluator)
        response = self.client.get(
            reverse("evaluations:evidence_download", args=[revision.pk]), {"inline": "1"}
        )
        self.assertEqual(response["Content-Disposition"], 'inline; filename="foto.png"')
        self.assertEqual(response["Content-Type"], "image/png")
        self.assertEqual(
            response["Content-Security-Policy"],
            "default-src 'none'; sandbox; frame-ancestors 'self'",
        )

    def test_it_never_shows_office_files_inline(self):
        self.client.force_login(self.evaluator)
        cases = [
            ("laporan.docx", ff.DOCX_BYTES, "wordprocessingml.document"),
            ("tabel.xlsx", ff.XLSX_BYTES, "spreadsheetml.sheet"),
        ]
        for name, data, kind in cases:
            with self.subTest(name=name):
                revision = self.upload(name, data).revisions.get()
                url = reverse("evaluations:evidence_download", args=[revision.pk])
                response = self.client.get(url, {"inline": "1"})
                self.assertEqual(response["Content-Disposition"], f'attachment; filename="{name}"')
                self.assertEqual(
                    response["Content-Type"],
                    f"application/vnd.openxmlformats-officedocument.{kind}",
                )
                self.assertEqual(
                    response["Content-Security-Policy"],
                    "default-src 'none'; sandbox; frame-ancestors 'self'",
                )
                self.assertEqual(response["X-Frame-Options"], "DENY")
                self.assertEqual(b"".join(response.streaming_content), data)


class CarryOverTest(EvidenceCase):
    def setUp(self):
        # The unit's previous cycle, with two documents on indicator 1 (one removed) and one on 2.
        self.old_cycle = f.make_cycle(
            self.instrument, year=2023, owner=self.kemenpan, name="PEKPPP Nasional 2023"
        )
        self.old = f.make_assessment(self.old_cycle, self.unit)
        f.open_window(self.old_cycle, Phase.SELF_ASSESSMENT)
        old_ind = ff.indicators(self.old)

        def old_upload(ind, name, data):
            return evidence_upload(
                assessment=self.old,
                indicator=ind,
                file=ff.upload(name, data),
                title=name,
                by=self.operator,
            )

        self.kept = old_upload(old_ind[0], "sk.pdf", ff.PDF_BYTES)
        evidence_replace(
            evidence=self.kept,
            file=ff.upload("sk-revisi.pdf", ff.PDF_BYTES + b"%rev2"),
            by=self.operator,
        )
        evidence_remove(evidence=old_upload(old_ind[0], "lama.pdf", ff.PDF_BYTES), by=self.operator)
        self.photo = old_upload(old_ind[1], "foto.png", ff.PNG_BYTES)
        f.close_window(self.old_cycle, Phase.SELF_ASSESSMENT)

    def test_it_copies_the_active_latest_revisions_once_without_copying_bytes(self):
        files_before = stored_files()
        carried = evidence_carry_over(assessment=self.assessment, by=self.operator)
        self.assertEqual(len(carried), 2)
        self.assertEqual(stored_files(), files_before)
        copies = {e.carried_from_id: e for e in Evidence.objects.filter(assessment=self.assessment)}
        self.assertEqual(set(copies), {self.kept.pk, self.photo.pk})
        copy = copies[self.kept.pk]
        self.assertEqual(copy.indicator, self.ind[0])
        revision = copy.revisions.get()
        source = self.kept.revisions.get(number=2)
        self.assertEqual(revision.number, 1)
        self.assertEqual(
            (
                revision.file.name,
                revision.sha256,
                revision.size,
                revision.original_name,
                revision.content_type,
                revision.virus_scanned,
            ),
            (
                source.file.name,
                source.sha256,
                source.size,
                "sk-revisi.pdf",
                "application/pdf",
                False,  # as the original was stored: no scanner configured here
            ),
        )
        self.assertEqual(copies[self.photo.pk].indicator, self.ind[1])
        self.assertEqual(evidence_carry_over(assessment=self.assessment, by=self.operator), [])
        self.assertEqual(Evidence.objects.filter(assessment=self.assessment).count(), 2)

    def test_the_page_offers_it_until_done(self):
        self.client.force_login(self.operator)
        page = reverse("evaluations:f01_form", args=[self.assessment.pk])
        url = reverse("evaluations:evidence_carry_over", args=[self.assessment.pk])
        self.assertContains(
            self.client.get(page), "2 bukti dukung dari PEKPPP Nasional 2023 dapat dibawa"
        )
        self.assertRedirects(self.client.post(url), page, fetch_redirect_response=False)
        response = self.client.get(page)
        self.assertNotContains(response, url)
        self.assertContains(response, "· dibawa dari periode sebelumnya</small>", count=2)
        self.client.post(url)
        self.assertEqual(Evidence.objects.filter(assessment=self.assessment).count(), 2)

    def test_it_walks_the_personas_and_refuses_outside_the_window(self):
        url = reverse("evaluations:evidence_carry_over", args=[self.assessment.pk])
        for name, status in {"outsider": 404, "evaluator": 403}.items():
            self.client.force_login(self.personas()[name])
            self.assertEqual(self.client.post(url).status_code, status)
        f.close_window(self.cycle, Phase.SELF_ASSESSMENT)
        with self.assertRaisesMessage(WorkflowError, "sudah ditutup"):
            evidence_carry_over(assessment=self.assessment, by=self.operator)
        self.assertFalse(Evidence.objects.filter(assessment=self.assessment).exists())
