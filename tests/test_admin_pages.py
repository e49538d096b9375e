"""Every admin page of every registered model opens for the demo superuser, over demo data."""

from io import StringIO

from django.contrib import admin
from django.contrib.admin.utils import quote
from django.core.management import call_command
from django.db import connection
from django.test import RequestFactory, TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice
from import_export.admin import ImportExportModelAdmin

from evaluations.models import Assessment, Cycle
from notifications.models import Notification, NotificationKind
from reports.models import Document, DocumentKind
from reports.services.documents import document_key
from scoring.models import Exclusion, Publication
from tests import factories as f
from units.models import Agency, ServiceType, ServiceUnit, User
from units.services import recovery_codes_replace

# More than the demo's 54 units and within one changelist page (100 rows), so a query per
# row would show as a different count.
EXTRA_ROWS = 100


def admin_url(model, view: str, *args) -> str:
    opts = model._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_{view}", args=args)


class AdminPagesTest(TestCase):
    @classmethod
    def setUpTestData(cls):
        call_command("seed_demo", stdout=StringIO())
        cls.admin = User.objects.get(username="admin")
        # What the demo does not make until someone works in the portal: an exclusion from a
        # publication and a document job ...
        Exclusion.objects.create(
            assessment=Assessment.objects.filter(cycle__year=2026).order_by("pk").first(),
            reason="Unit ditutup sementara",
            excluded_by=cls.admin,
        )
        publication = Publication.objects.get(is_current=True, cycle__year=2022)
        Document.objects.create(
            key=document_key(DocumentKind.RANKED_REPORT_XLSX, publication.pk, None),
            kind=DocumentKind.RANKED_REPORT_XLSX,
            cycle=publication.cycle,
            publication=publication,
            requested_by=cls.admin,
        )
        # ... a notification (the demo's are made by the worker) ...
        Notification.objects.create(
            recipient=cls.admin, kind=NotificationKind.FINAL, title="Penilaian final", body="-"
        )
        # ... and someone's two-factor devices (not the admin's: they would be asked a code).
        coordinator = User.objects.get(username="koordinator")
        TOTPDevice.objects.create(user=coordinator, name="Aplikasi autentikator", confirmed=True)
        recovery_codes_replace(user=coordinator)

    def setUp(self):
        self.assertTrue(self.admin.is_superuser)
        self.client.force_login(self.admin)
        self.request = RequestFactory().get("/admin/")
        self.request.user = self.admin

    def registry(self):
        return sorted(admin.site._registry.items(), key=lambda item: item[0]._meta.label)

    def test_it_opens_every_changelist(self):
        for model, _ in self.registry():
            with self.subTest(model=model._meta.label):
                response = self.client.get(admin_url(model, "changelist"))
                self.assertEqual(response.status_code, 200)

    def test_it_opens_the_add_page_where_adding_is_allowed(self):
        for model, model_admin in self.registry():
            with self.subTest(model=model._meta.label):
                response = self.client.get(admin_url(model, "add"))
                if model_admin.has_add_permission(self.request):
                    self.assertNotEqual(response.status_code, 403)
                    self.assertEqual(response.status_code, 200)
                else:
                    self.assertEqual(response.status_code, 403)

    def test_it_opens_the_change_page_of_an_existing_object(self):
        checked = 0
        for model, model_admin in self.registry():
            with self.subTest(model=model._meta.label):
                obj = model_admin.get_queryset(self.request).order_by("pk").first()
                if obj is None:
                    continue
                response = self.client.get(admin_url(model, "change", quote(obj.pk)))
                self.assertEqual(response.status_code, 200)
                checked += 1
        # The demo data fills most of the register; an empty world would prove nothing.
        self.assertGreaterEqual(checked, len(admin.site._registry) - 2)

    def test_it_opens_the_import_and_export_pages(self):
        import_export = [
            model for model, ma in self.registry() if isinstance(ma, ImportExportModelAdmin)
        ]
        self.assertTrue(import_export)
        for model in import_export:
            for view in ("import", "export"):
                with self.subTest(model=model._meta.label, view=view):
                    response = self.client.get(admin_url(model, view))
                    self.assertEqual(response.status_code, 200)

    def changelist_queries(self, model) -> int:
        url = admin_url(model, "changelist")
        self.client.get(url)  # warm the per-process caches (content types, site)
        with CaptureQueriesContext(connection) as queries:
            response = self.client.get(url)
        self.assertEqual(response.status_code, 200)
        return len(queries)

    def add_extra_units(self) -> list[ServiceUnit]:
        agencies = list(Agency.objects.order_by("pk")[:5])
        service_type = ServiceType.objects.order_by("pk").first()
        return [
            f.make_unit(agencies[i % len(agencies)], service_type=service_type)
            for i in range(EXTRA_ROWS)
        ]

    def test_it_lists_units_with_a_fixed_number_of_queries(self):
        self.assertEqual(ServiceUnit.objects.count(), 54)
        demo = self.changelist_queries(ServiceUnit)
        self.add_extra_units()
        with self.assertNumQueries(demo):
            response = self.client.get(admin_url(ServiceUnit, "changelist"))
        self.assertEqual(len(response.context["cl"].result_list), EXTRA_ROWS)

    def test_it_lists_assessments_with_a_fixed_number_of_queries(self):
        demo = self.changelist_queries(Assessment)
        cycle = Cycle.objects.order_by("pk").first()
        for unit in self.add_extra_units():
            f.make_assessment(cycle, unit)
        with self.assertNumQueries(demo):
            response = self.client.get(admin_url(Assessment, "changelist"))
        self.assertEqual(len(response.context["cl"].result_list), EXTRA_ROWS)
