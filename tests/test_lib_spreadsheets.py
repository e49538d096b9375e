"""pekppp/lib/spreadsheets.py: no Django needed, so no database either."""

import io
from decimal import Decimal
from unittest import TestCase

from openpyxl import Workbook, load_workbook
from openpyxl.utils.exceptions import IllegalCharacterError

from pekppp.lib.spreadsheets import cell, csv_escape, csv_unescape, row, table_xlsx

FORMULAE = ['=HYPERLINK("http://evil.example","x")', "+1+1", "-2+3", "@SUM(A1)", "#N/A"]


class CsvEscapeTest(TestCase):
    def test_it_quotes_text_a_spreadsheet_would_evaluate(self):
        cases = {
            '=HYPERLINK("http://evil.example","x")': '\'=HYPERLINK("http://evil.example","x")',
            "+1+1": "'+1+1",
            "-2+3": "'-2+3",
            "@SUM(A1)": "'@SUM(A1)",
            "\t=1+1": "'\t=1+1",
            "\r=1+1": "'\r=1+1",
            "-2+3+cmd|' /C calc'!A0": "'-2+3+cmd|' /C calc'!A0",
        }
        for value, expected in cases.items():
            with self.subTest(value=value):
                self.assertEqual(csv_escape(value), expected)
                self.assertEqual(csv_unescape(expected), value)

    def test_it_leaves_numbers_and_ordinary_text_alone(self):
        for value in ["-3", "+62", "-0,5", "4.75", "Unit A-1", "a=b", "", None, -3, 4.75]:
            with self.subTest(value=value):
                self.assertEqual(csv_escape(value), value)
                self.assertEqual(csv_unescape(value), value)

    def test_it_unescapes_only_what_it_escaped(self):
        for value in ["'quoted'", "'-3", "'Unit"]:
            with self.subTest(value=value):
                self.assertEqual(csv_unescape(value), value)


class XlsxCellsTest(TestCase):
    def reread(self, content: bytes):
        return load_workbook(io.BytesIO(content)).active

    def test_it_writes_text_as_string_cells_in_a_write_only_sheet(self):
        book = Workbook(write_only=True)
        sheet = book.create_sheet("Data")
        sheet.append(row(sheet, [*FORMULAE, 3, cell(sheet, "=1+1", bold=True)]))
        out = io.BytesIO()
        book.save(out)
        cells = next(self.reread(out.getvalue()).iter_rows())
        self.assertEqual([c.value for c in cells], [*FORMULAE, 3, "=1+1"])
        self.assertEqual([c.data_type for c in cells], ["s"] * 5 + ["n", "s"])
        self.assertTrue(cells[-1].font.bold)

    def test_it_writes_a_table_with_a_frozen_bold_header(self):
        sheet = self.reread(table_xlsx(["nama", "nilai"], [["=1+1", 2]], title="Unit/UPP"))
        self.assertEqual(sheet.title, "Unit-UPP")
        self.assertEqual(sheet.freeze_panes, "A2")
        self.assertTrue(sheet["A1"].font.bold)
        self.assertEqual((sheet["A2"].value, sheet["A2"].data_type), ("=1+1", "s"))
        self.assertEqual((sheet["B2"].value, sheet["B2"].data_type), (2, "n"))

    def test_it_gives_columns_their_number_format(self):
        content = table_xlsx(
            ["nama", "ipp"], [["=1", Decimal("4.50")]], title="Data", number_formats={1: "0.00"}
        )
        sheet = self.reread(content)
        self.assertEqual((sheet["B2"].value, sheet["B2"].data_type), (4.5, "n"))
        self.assertEqual(sheet["B2"].number_format, "0.00")
        self.assertEqual((sheet["A2"].data_type, sheet["A2"].number_format), ("s", "General"))

    def test_it_refuses_control_characters_before_writing(self):
        with self.assertRaises(IllegalCharacterError):
            table_xlsx(["nama"], [["a\x01b"]], title="Data")
