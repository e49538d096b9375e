"""Every wide table of the portal sits in the shared scroll region (portal.css `.scroll`): a
region with a name that the keyboard can reach, so a table that does not fit scrolls inside it
and never widens the page."""

import re
from pathlib import Path

from django.conf import settings

TEMPLATES = Path(settings.BASE_DIR) / "templates"
# Documents and mails have their own layout; these tables are narrow (two columns, or a few
# figures) and live in pages other parts of the portal lay out.
NOT_WRAPPED = {
    "reports/certificate_verify.html": 1,  # label and value, two columns
    "evaluations/f01/_indicator.html": 1,  # an indicator's file revisions
    "evaluations/f02_form.html": 2,  # the team's levels, the aspect summary
}


def page_templates():
    for path in sorted(TEMPLATES.rglob("*.html")):
        name = path.relative_to(TEMPLATES).as_posix()
        if name.startswith(("reports/pdf/", "notifications/mail/")):
            continue
        yield name, path.read_text()


def test_it_names_every_scroll_region_and_lets_the_keyboard_reach_it():
    boxes = 0
    for name, text in page_templates():
        for tag in re.findall(r'<div class="scroll[ "][^>]*>', text):
            boxes += 1
            assert 'role="region"' in tag, (name, tag)
            assert 'tabindex="0"' in tag, (name, tag)
            assert re.search(r'aria-label(ledby)?="[^"]+"', tag), (name, tag)
    assert boxes > 40


def test_it_wraps_every_table_of_a_page_in_a_scroll_region():
    for name, text in page_templates():
        tables = len(re.findall(r"<table", text))
        wrapped = len(re.findall(r'<div class="scroll[^>]*>\s*<table', text))
        assert tables - wrapped == NOT_WRAPPED.get(name, 0), (name, tables, wrapped)
