"""Spreadsheet import/export of provinces, agencies, service units, and people with their roles.

Columns carry the names a Biro Organisasi user fills in (`kode`, `nama`, `kode_instansi`, …);
foreign keys are written as natural codes. Every resource here derives from
`SpreadsheetResource`, which checks the whole file first and writes nothing unless every row
is valid (see its docstring).

Layout: `base` (cell helpers, caching widgets, the validating `SpreadsheetResource`),
`provinces`, `agencies`, `units` (service units) and `people` (people and their roles).
Import from here: `from units.resources import ServiceUnitResource`.
"""

from .agencies import AGENCY_KIND_ALIASES, AgencyResource
from .base import (
    EXCEL_DIGITS,
    LOOKUP_CHUNK,
    ChoiceWidget,
    CodeWidget,
    SpreadsheetResource,
    TextWidget,
    cell_text,
    chunked,
    code_field,
    header_key,
    text_field,
)
from .people import PERSON_FIELDS, ROLE_ALIASES, PersonRoleResource
from .provinces import ProvinceResource
from .units import ServiceUnitResource

__all__ = [
    "AGENCY_KIND_ALIASES",
    "EXCEL_DIGITS",
    "LOOKUP_CHUNK",
    "PERSON_FIELDS",
    "ROLE_ALIASES",
    "AgencyResource",
    "ChoiceWidget",
    "CodeWidget",
    "PersonRoleResource",
    "ProvinceResource",
    "ServiceUnitResource",
    "SpreadsheetResource",
    "TextWidget",
    "cell_text",
    "chunked",
    "code_field",
    "header_key",
    "text_field",
]
