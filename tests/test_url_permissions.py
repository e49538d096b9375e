"""Every URL of the portal, every role: the status code each one gets, from one table.

A view added without a row here fails `test_it_has_a_row_for_every_url`. Admin URLs other than
the index are Django's own (covered by tests/test_admin_pages.py). POSTs are sent empty and
rolled back, so the table pins who reaches a view, not what the view does with input.
"""

import datetime as dt
import io

from django.contrib.auth.models import AnonymousUser
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from evaluations.models import (
    AssessmentStatus,
    Clarification,
    FieldVisit,
    FieldVisitPhoto,
    FollowUpItem,
    PhaseWindow,
)
from evaluations.services.evidence import evidence_upload
from evaluations.services.followup import FollowUpValues, followup_item_update
from notifications.models import Notification, NotificationKind
from reports.models import (
    Award,
    Certificate,
    Document,
    DocumentKind,
    DocumentStatus,
    ResultLetter,
)
from scoring.models import Result
from scoring.services.priority import coaching_session_record, priority_add
from scoring.services.publication import cycle_publish
from scoring.services.survey import survey_link, survey_paper_enter
from tests import factories as f
from tests.base import PersonaTestCase
from tests.scoring.factories import make_result

PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6300010000050001a5f645400000000049454e44ae426082"
)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

ROLES = ("anonymous", "outsider", "admin", "coordinator", "evaluator", "operator", "leader")


def url_names() -> set[str]:
    def walk(patterns, namespace=None):
        for p in patterns:
            if isinstance(p, URLResolver):
                ns = p.namespace
                yield from walk(
                    p.url_patterns, f"{namespace}:{ns}" if namespace and ns else ns or namespace
                )
            elif isinstance(p, URLPattern) and p.name:
                yield f"{namespace}:{p.name}" if namespace else p.name

    return {
        n
        for n in walk(get_resolver().url_patterns)
        if not n.startswith("admin:") or n == "admin:index"
    }


CYCLE = lambda w: {"pk": w.cycle.pk}  # noqa: E731
LOCUS = lambda w: {"pk": w.assessment.pk}  # noqa: E731
ANSWER = lambda w: {"pk": w.assessment.pk, "indicator_id": w.revision.evidence.indicator_id}  # noqa: E731
EVIDENCE = lambda w: {"evidence_id": w.revision.evidence_id}  # noqa: E731
REVISION = lambda w: {"revision_id": w.revision.pk}  # noqa: E731
CLARIFICATION = lambda w: {"pk": w.clarification.pk}  # noqa: E731
PHOTO = lambda w: {"photo_id": w.photo.pk}  # noqa: E731
PUBLISHED = lambda w: {"cycle_pk": w.finished.pk}  # noqa: E731
PUBLISHED_FILE = lambda w: {"cycle_pk": w.finished.pk, "revision": w.publication.revision}  # noqa: E731
PAPER = lambda w: {"pk": w.assessment.pk, "response_id": w.paper.pk}  # noqa: E731
CYCLE_DONE = lambda w: {"pk": w.finished.pk}  # noqa: E731
PRIORITY = lambda w: {"pk": w.finished.pk, "unit_id": w.unit.pk}  # noqa: E731
FOLLOWUP = lambda w: {"pk": w.followup.pk}  # noqa: E731
FOLLOWUP_FILE = lambda w: {"file_id": w.followup_file.pk}  # noqa: E731
API_LOCUS = lambda w: {"cycle_id": w.cycle.pk, "locus_id": w.assessment.pk}  # noqa: E731


def codes(*values: int) -> dict[str, int]:
    return dict(zip(ROLES, values, strict=True))


# name: (method, kwargs from the world, expected codes for ROLES in order)
# anonymous, outsider, admin, coordinator, evaluator, operator, leader
TABLE = {
    "home": ("get", lambda w: {}, codes(302, 200, 200, 200, 200, 200, 200)),
    "login": ("get", lambda w: {}, codes(200, 302, 302, 302, 302, 302, 302)),
    "logout": ("post", lambda w: {}, codes(302, 302, 302, 302, 302, 302, 302)),
    # Password reset by email: anyone (an empty request re-renders the form; a bad link says so).
    "password_reset": ("get", lambda w: {}, codes(200, 200, 200, 200, 200, 200, 200)),
    "password_reset_done": ("get", lambda w: {}, codes(200, 200, 200, 200, 200, 200, 200)),
    "password_reset_confirm": (
        "get",
        lambda w: {"uidb64": "MQ", "token": "bad-token"},
        codes(200, 200, 200, 200, 200, 200, 200),
    ),
    "password_reset_complete": ("get", lambda w: {}, codes(200, 200, 200, 200, 200, 200, 200)),
    "set_language": ("post", lambda w: {}, codes(302, 302, 302, 302, 302, 302, 302)),
    # Notifications: each person's own list; opening one that is not one's own is a 404 (the
    # one in the world is the operator's; opening it goes to its link).
    "notifications:list": ("get", lambda w: {}, codes(302, 200, 200, 200, 200, 200, 200)),
    "notifications:read": (
        "post",
        lambda w: {"pk": w.notification.pk},
        codes(302, 404, 404, 404, 404, 302, 404),
    ),
    "notifications:read_all": ("post", lambda w: {}, codes(302, 302, 302, 302, 302, 302, 302)),
    "healthz": ("get", lambda w: {}, codes(200, 200, 200, 200, 200, 200, 200)),
    "admin:index": ("get", lambda w: {}, codes(302, 302, 200, 302, 302, 302, 302)),
    # Two-factor log-in, each person's own (OTP_REQUIRED off, nobody has a device here: the
    # code step sends back to the overview, new recovery codes need a verified session; see
    # tests/units/test_two_factor.py for the enforced flow).
    "units:two_factor": ("get", lambda w: {}, codes(302, 200, 200, 200, 200, 200, 200)),
    "units:two_factor_enrol": ("get", lambda w: {}, codes(302, 200, 200, 200, 200, 200, 200)),
    "units:two_factor_verify": ("get", lambda w: {}, codes(302, 302, 302, 302, 302, 302, 302)),
    "units:recovery_codes_create": (
        "post",
        lambda w: {},
        codes(302, 302, 302, 302, 302, 302, 302),
    ),
    # Each person's own API token: see it; create or replace it (the key is shown once);
    # revoke it (back to the page).
    "units:api_token": ("get", lambda w: {}, codes(302, 200, 200, 200, 200, 200, 200)),
    "units:api_token_create": ("post", lambda w: {}, codes(302, 200, 200, 200, 200, 200, 200)),
    "units:api_token_revoke": ("post", lambda w: {}, codes(302, 302, 302, 302, 302, 302, 302)),
    # API v1, agencies and units: a token is asked for (401); each list holds what the person
    # may see (can_view_agency / can_view_unit), an agency or unit outside it is a 404.
    "units_api:agency_list": ("get", lambda w: {}, codes(401, 200, 200, 200, 200, 200, 200)),
    "units_api:agency_detail": (
        "get",
        lambda w: {"pk": w.lamsel.pk},
        codes(401, 404, 200, 404, 404, 404, 200),
    ),
    "units_api:unit_list": ("get", lambda w: {}, codes(401, 200, 200, 200, 200, 200, 200)),
    "units_api:unit_detail": (
        "get",
        lambda w: {"pk": w.unit.pk},
        codes(401, 404, 200, 404, 404, 200, 200),
    ),
    # Cycle set-up: admins and the owner's coordinators; the Nasional cycle is the ministry's.
    "evaluations:cycle_list": ("get", lambda w: {}, codes(302, 403, 200, 200, 403, 403, 403)),
    "evaluations:cycle_create": ("get", lambda w: {}, codes(302, 403, 200, 200, 403, 403, 403)),
    "evaluations:cycle_detail": ("get", CYCLE, codes(302, 404, 200, 404, 404, 404, 404)),
    "evaluations:cycle_edit": ("get", CYCLE, codes(302, 404, 200, 404, 404, 404, 404)),
    "evaluations:loci_pick": ("get", CYCLE, codes(302, 404, 200, 404, 404, 404, 404)),
    "evaluations:loci_import": ("get", CYCLE, codes(302, 404, 200, 404, 404, 404, 404)),
    "evaluations:assignment_form": ("get", CYCLE, codes(302, 404, 200, 404, 404, 404, 404)),
    "evaluations:workload": ("get", CYCLE, codes(302, 404, 200, 404, 404, 404, 404)),
    "evaluations:phase_extend_form": ("get", LOCUS, codes(302, 404, 200, 404, 403, 403, 403)),
    # The assessment of Disdukcapil Lampung Selatan: seen by its evaluator, operator, leader.
    "evaluations:assessment_detail": ("get", LOCUS, codes(302, 404, 200, 404, 200, 200, 200)),
    "evaluations:f01_form": ("get", LOCUS, codes(302, 404, 403, 404, 403, 200, 403)),
    "evaluations:answer_autosave": ("post", ANSWER, codes(302, 404, 403, 404, 403, 400, 403)),
    "evaluations:assessment_submit": ("post", LOCUS, codes(302, 404, 403, 404, 403, 200, 403)),
    "evaluations:evidence_upload": ("post", ANSWER, codes(302, 404, 403, 404, 403, 302, 403)),
    "evaluations:evidence_replace": ("post", EVIDENCE, codes(302, 404, 403, 404, 403, 302, 403)),
    "evaluations:evidence_remove": ("post", EVIDENCE, codes(302, 404, 403, 404, 403, 302, 403)),
    "evaluations:evidence_carry_over": ("post", LOCUS, codes(302, 404, 403, 404, 403, 302, 403)),
    "evaluations:evidence_download": ("get", REVISION, codes(302, 404, 200, 404, 200, 200, 200)),
    "evaluations:clarification_answer": (
        "post",
        CLARIFICATION,
        codes(302, 404, 403, 404, 403, 302, 403),
    ),
    "evaluations:f02_form": ("get", LOCUS, codes(302, 404, 403, 404, 200, 403, 403)),
    "evaluations:score_autosave": ("post", ANSWER, codes(302, 404, 403, 404, 400, 403, 403)),
    "evaluations:evaluator_submit": ("post", LOCUS, codes(302, 404, 403, 404, 200, 403, 403)),
    "evaluations:clarification_request_form": (
        "post",
        LOCUS,
        codes(302, 404, 403, 404, 200, 403, 403),
    ),
    "evaluations:field_visit": ("get", LOCUS, codes(302, 404, 403, 404, 200, 403, 403)),
    "evaluations:visit_photo_download": ("get", PHOTO, codes(302, 404, 200, 404, 200, 403, 403)),
    # F-03 for the unit: everyone who sees the locus reads the page; its operators type in and
    # void paper sheets (an empty POST re-renders with the problems); they and the cycle's
    # manager issue a new link and print the poster.
    "evaluations:survey_manage": ("get", LOCUS, codes(302, 404, 200, 404, 200, 200, 200)),
    "evaluations:survey_paper_enter": ("post", LOCUS, codes(302, 404, 403, 404, 403, 200, 403)),
    "evaluations:survey_void": ("post", PAPER, codes(302, 404, 403, 404, 403, 200, 403)),
    "evaluations:survey_link_reissue": ("post", LOCUS, codes(302, 404, 302, 404, 403, 302, 403)),
    "reports:survey_poster": ("get", LOCUS, codes(302, 404, 200, 404, 403, 200, 403)),
    "evaluations:moderation_form": ("get", LOCUS, codes(302, 404, 200, 404, 403, 403, 403)),
    "evaluations:moderation_decide_one": (
        "post",
        lambda w: {"pk": w.assessment.pk, "number": 1},
        codes(302, 404, 409, 404, 403, 403, 403),
    ),
    "evaluations:assessment_finalize": ("post", LOCUS, codes(302, 404, 302, 404, 403, 403, 403)),
    # Follow-up register: admins, coordinators and leadership (their agency's units) and
    # operators (their units) read it; the unit's item of the published 2023 locus is read by
    # admins, its leadership and operators, changed by its operators only (an empty POST is a
    # 400 with the form's problems; removing the file of an open item redirects back).
    "evaluations:followup_list": ("get", lambda w: {}, codes(302, 403, 200, 200, 403, 200, 200)),
    "evaluations:followup_export": ("get", lambda w: {}, codes(302, 403, 200, 200, 403, 200, 200)),
    "evaluations:followup_detail": ("get", FOLLOWUP, codes(302, 404, 200, 404, 404, 200, 200)),
    "evaluations:followup_update": ("post", FOLLOWUP, codes(302, 404, 403, 404, 404, 400, 403)),
    "evaluations:followup_file_download": (
        "get",
        FOLLOWUP_FILE,
        codes(302, 404, 200, 404, 404, 200, 200),
    ),
    "evaluations:followup_file_remove": (
        "post",
        FOLLOWUP_FILE,
        codes(302, 404, 403, 404, 404, 302, 403),
    ),
    # Scoring: rankings before publication, the simulator and its API.
    "scoring:ranking_list": ("get", lambda w: {}, codes(302, 200, 200, 200, 200, 200, 200)),
    "scoring:ranking_detail": (
        "get",
        lambda w: {"cycle_id": w.cycle.pk},
        codes(302, 404, 200, 404, 404, 404, 404),
    ),
    # Validation and publication: whoever runs the cycle (a refused empty POST re-renders).
    "scoring:publication_detail": ("get", CYCLE, codes(302, 404, 200, 404, 404, 404, 404)),
    "scoring:publication_publish": ("post", CYCLE, codes(302, 404, 200, 404, 404, 404, 404)),
    "scoring:publication_exclude": ("post", CYCLE, codes(302, 404, 200, 404, 404, 404, 404)),
    "scoring:publication_include": ("post", CYCLE, codes(302, 404, 200, 404, 404, 404, 404)),
    "scoring:publication_revision": (
        "get",
        lambda w: {"pk": w.finished.pk, "revision": w.publication.revision},
        codes(302, 404, 200, 404, 404, 404, 404),
    ),
    # Priority coaching of the published cycle: the list for its manager (whole, with the
    # forms; a refused empty POST re-renders) and, confirmed units only, for the coordinators,
    # leadership and operators of those units (the Pemprov coordinator's list is empty); the
    # unit's coaching page for its people and coaches (the Pemprov coordinator does not coach
    # a Lampung Selatan unit), sessions recorded by the manager and the unit's coordinators.
    "scoring:priority_list": ("get", CYCLE_DONE, codes(302, 404, 200, 200, 404, 200, 200)),
    "scoring:priority_propose": ("post", CYCLE_DONE, codes(302, 404, 200, 403, 404, 403, 403)),
    "scoring:priority_confirm": ("post", CYCLE_DONE, codes(302, 404, 200, 403, 404, 403, 403)),
    "scoring:priority_remove": ("post", CYCLE_DONE, codes(302, 404, 200, 403, 404, 403, 403)),
    "scoring:priority_add": ("post", CYCLE_DONE, codes(302, 404, 200, 403, 404, 403, 403)),
    "scoring:coaching_page": ("get", PRIORITY, codes(302, 404, 200, 404, 404, 200, 200)),
    "scoring:coaching_session_create": (
        "post",
        PRIORITY,
        codes(302, 404, 200, 404, 404, 403, 403),
    ),
    "scoring:coaching_file_upload": (
        "post",
        lambda w: PRIORITY(w) | {"session_id": w.coaching.pk},
        codes(302, 404, 200, 404, 404, 403, 403),
    ),
    "scoring:coaching_file_download": (
        "get",
        lambda w: PRIORITY(w) | {"file_id": w.coaching_file.pk},
        codes(302, 404, 200, 404, 404, 200, 200),
    ),
    # Public pages of published results: everyone, logged in or not (unpublished: see below).
    "public:index": ("get", lambda w: {}, codes(200, 200, 200, 200, 200, 200, 200)),
    "public:overview": ("get", PUBLISHED, codes(200, 200, 200, 200, 200, 200, 200)),
    "public:ranking": ("get", PUBLISHED, codes(200, 200, 200, 200, 200, 200, 200)),
    "public:unit": (
        "get",
        lambda w: {"unit_pk": w.unit.pk},
        codes(200, 200, 200, 200, 200, 200, 200),
    ),
    # Open data of the published cycle: its page, each revision's files and the API.
    "public:data": ("get", PUBLISHED, codes(200, 200, 200, 200, 200, 200, 200)),
    "public:data_csv": ("get", PUBLISHED_FILE, codes(200, 200, 200, 200, 200, 200, 200)),
    "public:data_xlsx": ("get", PUBLISHED_FILE, codes(200, 200, 200, 200, 200, 200, 200)),
    "opendata:cycles": ("get", lambda w: {}, codes(200, 200, 200, 200, 200, 200, 200)),
    "opendata:results": ("get", PUBLISHED, codes(200, 200, 200, 200, 200, 200, 200)),
    # The F-03 survey of a locus, from the poster's QR code: anyone with the link, signed in
    # or not; its thank-you page sends a browser that has not answered back to the survey
    # (the pages themselves: tests/scoring/test_survey_public.py).
    "public:survey": (
        "get",
        lambda w: {"token": w.survey.token},
        codes(200, 200, 200, 200, 200, 200, 200),
    ),
    "public:survey_thanks": (
        "get",
        lambda w: {"token": w.survey.token},
        codes(302, 302, 302, 302, 302, 302, 302),
    ),
    "simulator:page": ("get", lambda w: {}, codes(302, 403, 200, 200, 200, 200, 200)),
    "scoring_api:simulate": ("post", lambda w: {}, codes(401, 403, 415, 415, 415, 415, 415)),
    # Evaluations API: as the pages, but anonymous is a 401. Instruments for everyone with a
    # role; cycles, loci and teams for whoever sees the cycle (its list: admins and
    # coordinators); the follow-up register as on /tindak-lanjut/.
    "evaluations_api:instrument_list": (
        "get",
        lambda w: {},
        codes(401, 403, 200, 200, 200, 200, 200),
    ),
    "evaluations_api:instrument_detail": (
        "get",
        lambda w: {"pk": w.instrument.pk},
        codes(401, 404, 200, 200, 200, 200, 200),
    ),
    "evaluations_api:cycle_list": ("get", lambda w: {}, codes(401, 403, 200, 200, 403, 403, 403)),
    "evaluations_api:cycle_detail": ("get", CYCLE, codes(401, 404, 200, 404, 404, 404, 404)),
    "evaluations_api:locus_list": (
        "get",
        lambda w: {"cycle_id": w.cycle.pk},
        codes(401, 404, 200, 404, 404, 404, 404),
    ),
    "evaluations_api:locus_detail": (
        "get",
        API_LOCUS,
        codes(401, 404, 200, 404, 404, 404, 404),
    ),
    "evaluations_api:locus_team": ("get", API_LOCUS, codes(401, 404, 200, 404, 404, 404, 404)),
    "evaluations_api:followup_list": (
        "get",
        lambda w: {},
        codes(401, 403, 200, 200, 403, 200, 200),
    ),
    "evaluations_api:followup_detail": (
        "get",
        FOLLOWUP,
        codes(401, 404, 200, 404, 404, 200, 200),
    ),
    # Stored results as the ranking and assessment pages show them: the published 2023 locus of
    # Disdukcapil Lampung Selatan is its operator's and leader's (the evaluator is not on it).
    "scoring_api:result_list": ("get", lambda w: {}, codes(401, 200, 200, 200, 200, 200, 200)),
    "scoring_api:result_detail": (
        "get",
        lambda w: {"pk": w.finished_result.pk},
        codes(401, 404, 200, 404, 404, 200, 200),
    ),
    # The OpenAPI description and its Swagger UI are public.
    "api-schema": ("get", lambda w: {}, codes(200, 200, 200, 200, 200, 200, 200)),
    "api-docs": ("get", lambda w: {}, codes(200, 200, 200, 200, 200, 200, 200)),
    # Documents: the cycle's page for whoever runs it; a locus's panel for the cycle's
    # managers and the unit's people; the published unit's report card and certificate.
    "reports:document_list": (
        "get",
        lambda w: {"pk": w.finished.pk},
        codes(302, 404, 200, 404, 404, 404, 404),
    ),
    "reports:document_create": (
        "post",
        lambda w: {"pk": w.finished.pk},
        codes(302, 404, 302, 404, 404, 404, 404),
    ),
    "reports:assessment_documents": ("get", LOCUS, codes(302, 404, 200, 404, 403, 200, 200)),
    "reports:assessment_document_create": (
        "post",
        LOCUS,
        codes(302, 404, 302, 404, 403, 302, 302),
    ),
    "reports:document_download": (
        "get",
        lambda w: {"pk": w.report_card.pk},
        codes(302, 404, 200, 404, 404, 200, 200),
    ),
    "reports:certificate_download": (
        "get",
        lambda w: {"pk": w.certificate.pk},
        codes(302, 404, 200, 404, 404, 200, 200),
    ),
    # Result letters: the letters page for admins and the agencies' coordinators and
    # leadership; a letter for the cycle's managers and the agency's people (Lampung Selatan).
    "reports:result_letter_list": ("get", lambda w: {}, codes(302, 403, 200, 200, 403, 403, 200)),
    "reports:result_letter_download": (
        "get",
        lambda w: {"pk": w.letter.pk},
        codes(302, 404, 200, 404, 404, 404, 200),
    ),
    # The certificate's QR code opens its verification page: public, no log-in (an unknown
    # serial is a 404 page, see tests/reports/test_verification.py).
    "reports:certificate_verify": (
        "get",
        lambda w: {"serial": w.certificate.serial},
        codes(200, 200, 200, 200, 200, 200, 200),
    ),
}


class UrlWorld(PersonaTestCase):
    """The world of PersonaTestCase, with every phase open today and one object of each kind
    (also walked by tests/test_bad_input.py)."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        today = timezone.localdate()
        PhaseWindow.objects.filter(cycle__in=[cls.cycle, cls.mandiri]).update(
            starts_on=today - dt.timedelta(days=7), ends_on=today + dt.timedelta(days=30)
        )
        indicator = cls.instrument.indicators.get(number=1)
        cls.revision = evidence_upload(
            assessment=cls.assessment,
            indicator=indicator,
            file=SimpleUploadedFile("sk.pdf", PDF),
            title="SK",
            by=cls.operator,
        ).revisions.get()
        cls.clarification = Clarification.objects.create(
            assessment=cls.assessment,
            indicator=indicator,
            question="Mana SK-nya?",
            asked_by=cls.evaluator,
        )
        # A paper survey sheet typed in by the operator (the survey window is open).
        cls.paper = survey_paper_enter(
            assessment=cls.assessment,
            answers=[4] * 14,
            sheet=SimpleUploadedFile("lembar.pdf", PDF),
            by=cls.operator,
        )
        visit = FieldVisit.objects.create(
            assignment=cls.assessment.assignments.get(),
            visit_date=today,
            people_met="Kepala dinas",
            observations="Ruang tunggu baik",
        )
        photo = FieldVisitPhoto(
            visit=visit,
            original_name="a.png",
            content_type="image/png",
            extension=".png",
            size=len(PNG),
            sha256="0" * 64,
        )
        photo.file.save("a.png", io.BytesIO(PNG), save=True)
        cls.photo = photo
        cls.survey = survey_link(assessment=cls.assessment, by=cls.operator)
        cls.notification = Notification.objects.create(
            recipient=cls.operator,
            kind=NotificationKind.CLARIFICATION_ASKED,
            title="Permintaan klarifikasi",
            body="Mana SK-nya?",
            url=f"/penilaian/{cls.assessment.pk}/f01/",
        )
        # A finished Nasional cycle, published (revision 1): public pages, publication pages.
        cls.finished = f.make_cycle(
            cls.instrument, year=2023, owner=cls.kemenpan, name="PEKPPP Nasional 2023"
        )
        for unit, ipp in ((cls.unit, "3.75"), (cls.other_unit, "4.60")):
            make_result(f.make_assessment(cls.finished, unit), ipp)
        cls.finished.assessments.update(status=AssessmentStatus.FINAL)
        cls.finished_result = Result.objects.get(cycle=cls.finished, assessment__unit=cls.unit)
        cls.publication = cycle_publish(cycle=cls.finished, user=cls.admin)
        # Its unit's report card (done) and award certificate, each with a file.
        published_locus = cls.finished.assessments.get(unit=cls.unit)
        cls.report_card = Document.objects.create(
            key="report_card:url-table",
            kind=DocumentKind.REPORT_CARD,
            cycle=cls.finished,
            publication=cls.publication,
            assessment=published_locus,
            status=DocumentStatus.DONE,
            filename="laporan-hasil-evaluasi.pdf",
            requested_by=cls.admin,
        )
        cls.report_card.file.save("laporan-hasil-evaluasi.pdf", io.BytesIO(PDF), save=True)
        award, _ = Award.objects.get_or_create(
            code="pelayanan-prima", defaults={"title": "Pelayanan Prima", "grades": ["A"]}
        )
        cls.certificate = Certificate(
            serial="URL-TABLE/2023/0001",
            cycle=cls.finished,
            unit=cls.unit,
            award=award,
            result=cls.publication.results.get(unit=cls.unit),
            unit_name=cls.unit.name,
            grade="A",
            issued_on=today,
        )
        cls.certificate.file.save("sertifikat.pdf", io.BytesIO(PDF), save=True)
        # The result letter to the unit's agency (Lampung Selatan), built.
        cls.letter = ResultLetter(
            cycle=cls.finished,
            publication=cls.publication,
            agency=cls.lamsel,
            sequence=1,
            number="B/1/PEKPPP.URL/2023",
            issued_on=today,
        )
        cls.letter.file.save("surat.pdf", io.BytesIO(PDF), save=True)
        # Its unit on the priority list, confirmed, with one coaching session and attachment.
        priority = priority_add(cycle=cls.finished, unit=cls.unit, by=cls.admin, reason="Uji")
        cls.coaching = coaching_session_record(
            priority=priority,
            held_on=today,
            mode="luring",
            people="Tim",
            topics="SOP",
            files=[SimpleUploadedFile("hadir.pdf", PDF)],
            by=cls.admin,
        )
        cls.coaching_file = cls.coaching.files.get()
        # A follow-up item of the published locus, with one evidence file.
        cls.followup = FollowUpItem.objects.create(
            assessment=published_locus,
            unit=cls.unit,
            indicator=indicator,
            level=2,
            recommendation="Tetapkan SP dengan SK.",
        )
        followup_item_update(
            item=cls.followup,
            by=cls.operator,
            version=0,
            values=FollowUpValues("Susun SK", "Kabid", None, "berjalan", ""),
            files=[SimpleUploadedFile("bukti.pdf", PDF)],
        )
        cls.followup_file = cls.followup.files.get()

    def users(self):
        return {"anonymous": AnonymousUser(), **self.personas()}

    def request(self, user, method: str, url: str):
        self.client.logout()
        if not isinstance(user, AnonymousUser):
            self.client.force_login(user)
        with transaction.atomic():
            response = getattr(self.client, method)(url)
            transaction.set_rollback(True)
        return response


class UrlPermissionTableTest(UrlWorld):
    def test_it_has_a_row_for_every_url(self):
        missing = sorted(url_names() - set(TABLE))
        self.assertEqual(missing, [], "add these URLs to TABLE in tests/test_url_permissions.py")
        self.assertEqual(sorted(set(TABLE) - url_names()), [], "TABLE names URLs that do not exist")

    def test_it_hides_unpublished_results_from_every_role(self):
        urls = [
            reverse("public:overview", kwargs={"cycle_pk": self.cycle.pk}),
            reverse("public:ranking", kwargs={"cycle_pk": self.cycle.pk}),
            reverse("public:unit", kwargs={"unit_pk": self.prov_unit.pk}),
            reverse("public:data", kwargs={"cycle_pk": self.cycle.pk}),
            reverse("public:data_csv", kwargs={"cycle_pk": self.cycle.pk, "revision": 1}),
            reverse("public:data_xlsx", kwargs={"cycle_pk": self.cycle.pk, "revision": 1}),
            reverse("opendata:results", kwargs={"cycle_pk": self.cycle.pk}),
        ]
        for url in urls:
            for role, user in self.users().items():
                with self.subTest(url=url, role=role):
                    self.assertEqual(self.request(user, "get", url).status_code, 404)

    def test_it_gives_each_role_the_status_in_the_table(self):
        for name, (method, kwargs, expected) in sorted(TABLE.items()):
            url = reverse(name, kwargs=kwargs(self))
            for role, user in self.users().items():
                with self.subTest(url=name, role=role):
                    self.assertEqual(self.request(user, method, url).status_code, expected[role])
