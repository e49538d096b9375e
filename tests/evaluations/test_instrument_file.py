"""Validation of instrument documents: pure Python, no database."""

import copy
import json

import pytest

from evaluations import instrument_file
from evaluations.instrument_file import InstrumentFileError
from tests.factories import instrument_document

VALID = instrument_document()


def problems_after(change) -> list[str]:
    doc = copy.deepcopy(VALID)
    change(doc)
    return instrument_file.validate(doc)


def indicator(doc: dict, number: int) -> dict:
    for aspect in doc["aspects"]:
        for ind in aspect["indicators"]:
            if ind["number"] == number:
                return ind
    raise LookupError(number)


def band(doc: dict, grade: str) -> dict:
    return next(b for b in doc["grade_bands"] if b["grade"] == grade)


def test_it_finds_no_problem_in_the_valid_document():
    assert instrument_file.validate(VALID) == []


def test_it_parses_the_valid_document_from_bytes_and_text():
    raw = json.dumps(VALID, ensure_ascii=False)
    assert instrument_file.parse(raw.encode("utf-8")) == VALID
    assert instrument_file.parse(raw) == VALID


def set_in(path, value):
    """A change that sets doc[...path] = value."""

    def change(doc):
        target = doc
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value

    return change


CASES = {
    "zero weight": (
        lambda doc: indicator(doc, 2).update(weight="0"),
        "aspek I, indikator 2 (2.x.K): bobot harus bilangan positif (ditulis '0')",
    ),
    "negative weight": (
        lambda doc: indicator(doc, 11).update(weight="-20"),
        "aspek II, indikator 11 (11.x.K): bobot harus bilangan positif (ditulis '-20')",
    ),
    "missing level 3": (
        lambda doc: indicator(doc, 10)["levels"].pop("3"),
        "aspek II, indikator 10 (10.x.K): rubrik tingkat 3 belum ada",
    ),
    "empty level 3": (
        lambda doc: indicator(doc, 10)["levels"].update({"3": "  "}),
        "aspek II, indikator 10 (10.x.K): rubrik tingkat 3 belum ada",
    ),
    "extra level 6": (
        lambda doc: indicator(doc, 30)["levels"].update({"6": "Lebih dari sempurna"}),
        "aspek VI, indikator 30 (30.x.K): tingkat tidak dikenal 6 (hanya 0–5)",
    ),
    "duplicate code": (
        lambda doc: indicator(doc, 5).update(code="1.x.K"),
        "aspek I, indikator 5 (1.x.K): kode '1.x.K' sudah dipakai oleh "
        "aspek I, indikator 1 (1.x.K)",
    ),
    "duplicate number": (
        lambda doc: indicator(doc, 12).update(number=11),
        "aspek II, indikator 11 (12.x.K): nomor 11 sudah dipakai oleh "
        "aspek II, indikator 11 (11.x.K)",
    ),
    "aspects sum to 101": (
        set_in(["aspects", 5, "weight"], "13"),
        "jumlah bobot aspek harus 100 (tertulis 101)",
    ),
    "aspects sum to 99.5": (
        set_in(["aspects", 0, "weight"], "23.5"),
        "jumlah bobot aspek harus 100 (tertulis 99.5)",
    ),
    "gap in grade bands": (
        lambda doc: band(doc, "B").update(min="3.60"),
        "tabel predikat: ada celah atau tumpang tindih antara B- dan B",
    ),
    "overlap in grade bands": (
        lambda doc: band(doc, "A").update(min="4.40"),
        "tabel predikat: ada celah atau tumpang tindih antara A- dan A",
    ),
    "bands not reaching 5": (
        lambda doc: band(doc, "A").update(max="4.99"),
        "tabel predikat harus mencakup IPP 0,00 sampai 5,00",
    ),
    "σ above 1": (
        set_in(["survey_weight"], "1.5"),
        "'survey_weight' (σ) harus antara 0 dan 1",
    ),
    "σ negative": (
        set_in(["survey_weight"], "-0.25"),
        "'survey_weight' (σ) harus antara 0 dan 1",
    ),
    "σ not a number": (
        set_in(["survey_weight"], "seperempat"),
        "'survey_weight' (σ) harus antara 0 dan 1",
    ),
    "σ as a float": (
        set_in(["survey_weight"], 0.25),
        "'survey_weight' (σ) harus antara 0 dan 1",
    ),
    "missing survey item text": (
        lambda doc: doc["survey_items"][2].pop("text"),
        "butir survei ke-3: 'text' wajib diisi",
    ),
    "blank survey item text": (
        set_in(["survey_items", 13, "text"], ""),
        "butir survei ke-14: 'text' wajib diisi",
    ),
    "survey items out of order": (
        set_in(["survey_items", 4, "number"], 6),
        "butir survei ke-5: nomor harus 5",
    ),
    "weighted supplementary indicator": (
        set_in(["supplementary_indicators", 0, "weight"], "5"),
        "indikator tambahan 31 (tambahan): indikator tambahan tidak berbobot (bobot harus 0)",
    ),
    "no m": (
        lambda doc: doc.pop("min_respondents"),
        "'min_respondents' (m) harus bilangan bulat positif",
    ),
    "wrong format": (set_in(["format"], 2), "'format' harus 1"),
    "duplicate grade": (
        lambda doc: band(doc, "A-").update(grade="A"),
        "tabel predikat: predikat A ditulis lebih dari sekali",
    ),
    "title longer than its column": (
        lambda doc: indicator(doc, 7).update(title="x" * 301),
        "aspek I, indikator 7 (7.x.K): 'title' melebihi 300 karakter (301)",
    ),
    "null variant": (set_in(["variant"], None), "'variant' harus berupa teks"),
    "quoted flag": (
        set_in(["provisional"], "false"),
        "'provisional' harus true atau false",
    ),
}


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_it_names_the_problem_and_where_it_is(case):
    change, message = CASES[case]
    assert problems_after(change) == [message]


def test_it_reports_every_problem_in_one_pass():
    def break_many(doc):
        indicator(doc, 2)["weight"] = "0"
        indicator(doc, 10)["levels"].pop("3")
        doc["aspects"][5]["weight"] = "13"
        doc["survey_weight"] = "2"

    # A wrong indicator weight must not hide that the aspects no longer add up to 100.
    assert problems_after(break_many) == [
        "'survey_weight' (σ) harus antara 0 dan 1",
        "aspek I, indikator 2 (2.x.K): bobot harus bilangan positif (ditulis '0')",
        "aspek II, indikator 10 (10.x.K): rubrik tingkat 3 belum ada",
        "jumlah bobot aspek harus 100 (tertulis 101)",
    ]


def test_it_does_not_blame_the_total_on_an_unreadable_aspect_weight():
    problems = problems_after(set_in(["aspects", 1, "weight"], "dua puluh lima"))
    assert problems == ["aspek II: bobot harus bilangan positif (ditulis 'dua puluh lima')"]


NOT_JSON = [b"bukan json", b'{"format": 1,', "<instrumen/>", b"\xff\xfe\x00"]


@pytest.mark.parametrize("raw", NOT_JSON)
def test_it_rejects_what_is_not_json(raw):
    with pytest.raises(InstrumentFileError) as error:
        instrument_file.parse(raw, source="unggahan.json")
    assert len(error.value.problems) == 1
    assert error.value.problems[0].startswith("bukan berkas JSON yang sah (")
    assert str(error.value).startswith("unggahan.json: bukan berkas JSON yang sah")


@pytest.mark.parametrize("raw", ["[]", "17", '"instrumen"', "null"])
def test_it_rejects_json_that_is_not_an_object(raw):
    with pytest.raises(InstrumentFileError) as error:
        instrument_file.parse(raw)
    assert error.value.problems == ("isi berkas harus berupa objek JSON",)


def test_parse_lists_every_problem_on_the_error():
    doc = copy.deepcopy(VALID)
    indicator(doc, 2)["weight"] = "0"
    doc["survey_items"][2]["text"] = ""
    with pytest.raises(InstrumentFileError) as error:
        instrument_file.parse(json.dumps(doc), source="2022-A.json")
    assert error.value.problems == (
        "aspek I, indikator 2 (2.x.K): bobot harus bilangan positif (ditulis '0')",
        "butir survei ke-3: 'text' wajib diisi",
    )
    assert error.value.source == "2022-A.json"


def test_the_shipped_files_are_valid():
    names = [path.name for path in instrument_file.shipped_files()]
    assert {"2017.json", "2022-A.json"} <= set(names)
    for path in instrument_file.shipped_files():
        instrument_file.parse(path.read_bytes(), source=path.name)
