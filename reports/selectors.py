"""Reads of the reports app: the documents pages and the downloads, each in a fixed number of
queries."""

from dataclasses import dataclass

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet

from evaluations.models import Assessment, AssessmentStatus, Cycle
from evaluations.permissions import can_manage_cycle
from scoring.models import Publication, PublishedResult
from units.permissions import is_unit_member, roles_of

from .models import Certificate, Document, DocumentKind, DocumentStatus, ResultLetter

# The documents page lists the newest jobs first; older ones stay downloadable from the admin.
DOCUMENTS_LISTED = 100
CERTIFICATES_PER_PAGE = 50
LETTERS_PER_PAGE = 50
PENDING = (DocumentStatus.QUEUED, DocumentStatus.RUNNING)


def current_publication(cycle: Cycle) -> Publication | None:
    """The revision of `cycle` the public sees, or None before publication."""
    return Publication.objects.filter(cycle=cycle, is_current=True).first()


def _with_display_relations(qs: QuerySet[Document]) -> QuerySet[Document]:
    return qs.select_related("publication", "assessment__unit", "agency", "requested_by")


def documents_pending(documents) -> bool:
    """Whether any of the jobs is still queued or running (the page keeps polling)."""
    return any(d.status in PENDING for d in documents)


@dataclass(frozen=True)
class CycleDocuments:
    cycle: Cycle
    publication: Publication | None
    documents: list[Document]
    pending: bool
    more: bool  # more jobs exist than are listed


def cycle_documents(cycle: Cycle) -> CycleDocuments:
    """The cycle's current publication and its newest document jobs (two queries)."""
    rows = list(
        _with_display_relations(Document.objects.filter(cycle=cycle)).order_by(
            "-requested_at", "-pk"
        )[: DOCUMENTS_LISTED + 1]
    )
    documents = rows[:DOCUMENTS_LISTED]
    return CycleDocuments(
        cycle=cycle,
        publication=current_publication(cycle),
        documents=documents,
        pending=documents_pending(documents),
        more=len(rows) > DOCUMENTS_LISTED,
    )


def cycle_certificates(cycle: Cycle, page: str | int = 1) -> Page:
    """One page of the cycle's certificates, by serial."""
    qs = Certificate.objects.filter(cycle=cycle).select_related("award").order_by("serial")
    return Paginator(qs, CERTIFICATES_PER_PAGE).get_page(page)


def publication_agencies(publication: Publication) -> list[tuple[int, str]]:
    """(id, name as published) of each agency with a unit in the publication, by name: the
    agencies a result letter can be addressed to."""
    return list(
        PublishedResult.objects.filter(publication=publication)
        .values_list("agency_id", "agency_name")
        .order_by("agency_name", "agency_id")
        .distinct()
    )


def cycle_result_letters(cycle: Cycle, page: str | int = 1) -> Page:
    """One page of the cycle's result letters, by number."""
    qs = ResultLetter.objects.filter(cycle=cycle).select_related("agency", "publication")
    return Paginator(qs.order_by("sequence"), LETTERS_PER_PAGE).get_page(page)


def result_letters_visible_to(user, page: str | int = 1) -> Page:
    """One page of the built result letters `user` may download from the letters page:
    every letter for admins, else the letters to the agencies the person coordinates or
    leads. Newest cycle first."""
    roles = roles_of(user)
    qs = ResultLetter.objects.exclude(file="").select_related("cycle", "publication", "agency")
    if not roles.ministry_admin:
        qs = qs.filter(agency_id__in=roles.coordinator_agencies | roles.leadership_agencies)
    qs = qs.order_by("-cycle__year", "cycle__name", "cycle_id", "sequence")
    return Paginator(qs, LETTERS_PER_PAGE).get_page(page)


@dataclass(frozen=True)
class AssessmentDocuments:
    assessment: Assessment
    published: bool  # the unit is in the cycle's current publication
    can_manage: bool  # may request the Berita Acara and see every document
    can_report_card: bool
    can_berita_acara: bool
    report_card: Document | None  # of the current publication
    berita_acara: Document | None
    certificates: list[Certificate]
    pending: bool

    @property
    def rows(self) -> list[tuple[DocumentKind, Document | None, bool]]:
        """(kind, its job if any, whether it may be requested) for each document shown."""
        rows = []
        for kind, document, allowed in (
            (DocumentKind.REPORT_CARD, self.report_card, self.can_report_card),
            (DocumentKind.BERITA_ACARA, self.berita_acara, self.can_berita_acara),
        ):
            if document is not None or allowed:
                rows.append((kind, document, allowed))
        return rows

    @property
    def is_empty(self) -> bool:
        return not (self.rows or self.certificates)


def assessment_documents(user, assessment: Assessment) -> AssessmentDocuments:
    """What the locus page's documents panel shows `user`: the unit's report card of the
    current publication, its Berita Acara, and its certificates of the cycle."""
    cycle = assessment.cycle
    manage = can_manage_cycle(user, cycle)
    member = is_unit_member(user, assessment.unit)
    publication = current_publication(cycle)
    published = (
        publication is not None
        and PublishedResult.objects.filter(
            publication=publication, unit_id=assessment.unit_id
        ).exists()
    )
    documents = list(
        _with_display_relations(
            Document.objects.filter(
                assessment=assessment,
                kind__in=[DocumentKind.REPORT_CARD, DocumentKind.BERITA_ACARA],
            )
        )
    )
    report_card = next(
        (
            d
            for d in documents
            if d.kind == DocumentKind.REPORT_CARD
            and publication is not None
            and d.publication_id == publication.pk
        ),
        None,
    )
    berita_acara = next((d for d in documents if d.kind == DocumentKind.BERITA_ACARA), None)
    certificates = (
        list(
            Certificate.objects.filter(cycle=cycle, unit_id=assessment.unit_id)
            .select_related("award")
            .order_by("serial")
        )
        if manage or member
        else []
    )
    shown = [d for d in (report_card, berita_acara) if d is not None]
    return AssessmentDocuments(
        assessment=assessment,
        published=published,
        can_manage=manage,
        can_report_card=published and (manage or member),
        can_berita_acara=manage and assessment.status == AssessmentStatus.FINAL,
        report_card=report_card,
        berita_acara=berita_acara if manage else None,
        certificates=certificates,
        pending=documents_pending(shown),
    )


def documents_for_download() -> QuerySet[Document]:
    """Documents with what the download permission check reads."""
    return Document.objects.select_related(
        "cycle", "assessment__unit", "assessment__cycle", "publication", "agency"
    )


def certificates_for_download() -> QuerySet[Certificate]:
    return Certificate.objects.select_related("cycle", "unit")


def result_letters_for_download() -> QuerySet[ResultLetter]:
    return ResultLetter.objects.select_related("cycle", "agency")
