"""The printable F-03 poster of one locus: an A4 page with the QR code of its public survey
address and short instructions, hung at the service counter.

Not a document job: one page renders in a fraction of a second, so `reports.views.survey`
makes it in the request, always with the locus's live link (a reissued link gives a new
poster at once). Through the one `render_pdf`, like every PDF.
"""

import datetime as dt

from evaluations.models import Assessment, SurveyLink
from evaluations.selectors.survey import public_url
from pekppp.lib.qr import qr_path
from reports.pdf import render_pdf

STYLESHEETS = ("css/pdf/survey_poster.css",)


def survey_poster_pdf(
    assessment: Assessment, link: SurveyLink, *, items: int, closes_on: dt.date | None
) -> bytes:
    """The poster's PDF. `assessment` comes with its unit, agency and cycle; `items` is the
    number of survey questions; `closes_on` the last day answers are taken (None: unknown)."""
    url = public_url(link)
    return render_pdf(
        "reports/pdf/survey_poster.html",
        {
            "unit": assessment.unit.name,
            # A very long unit name gets a smaller type, so the page stays one page.
            "long_name": len(assessment.unit.name) > 100,
            "agency": assessment.unit.agency.name,
            "cycle": assessment.cycle.name,
            "qr": qr_path(url),
            "url": url,
            # Written out under the code for people who type it: no "https://".
            "short_url": url.split("://", 1)[-1],
            "items": items,
            "closes_on": closes_on,
        },
        stylesheets=STYLESHEETS,
    )
