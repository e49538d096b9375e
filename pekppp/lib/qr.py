"""QR codes as drawing instructions for an inline <svg>, which the template writes."""

from dataclasses import dataclass

import qrcode
import qrcode.constants


@dataclass(frozen=True, slots=True)
class QrPath:
    """A square QR code `size` modules wide; `d` strokes each run of dark modules in a row
    as one horizontal line (stroke width 1), a few hundred path commands rather than one
    square per module."""

    size: int
    d: str


def qr_path(data: str, *, mask_pattern: int | None = None) -> QrPath:
    """The QR code of `data`. A fixed `mask_pattern` skips trying all eight masks for the
    "best" one (any mask gives a valid code): worth it where many codes are drawn."""
    code = qrcode.QRCode(
        error_correction=qrcode.constants.ERROR_CORRECT_M, border=0, mask_pattern=mask_pattern
    )
    code.add_data(data)
    code.make(fit=True)
    matrix = code.get_matrix()
    runs = []
    for y, row in enumerate(matrix):
        x = 0
        while x < len(row):
            if row[x]:
                start = x
                while x < len(row) and row[x]:
                    x += 1
                runs.append(f"M{start} {y}.5h{x - start}")
            else:
                x += 1
    return QrPath(size=len(matrix), d="".join(runs))
