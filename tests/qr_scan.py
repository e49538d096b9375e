"""Reading a PDF's QR code back as a phone camera would: render the first page (poppler's
pdftoppm), decode it (zbar's zbarimg). Used by the certificate and survey poster tests."""

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

TOOLS = ("pdftoppm", "zbarimg")  # poppler-utils and zbar-tools: render a page, read its QR


def require_tools() -> None:
    """Skip without the tools on a developer machine; in CI they must be there."""
    missing = [tool for tool in TOOLS if shutil.which(tool) is None]
    if not missing:
        return
    if os.environ.get("CI"):
        pytest.fail(f"{', '.join(missing)} not found; .ci/run must install them")
    pytest.skip(f"{', '.join(missing)} not found")


def scan_qr(pdf: Path | bytes, *, keep_png: str | None = None) -> str:
    """The text of the QR code on the first page of `pdf` (a file or its bytes), rendered at
    150 dpi; `keep_png` copies the rendered page there, to look at."""
    with tempfile.TemporaryDirectory() as tmp:
        if isinstance(pdf, bytes):
            source = Path(tmp) / "document.pdf"
            source.write_bytes(pdf)
            pdf = source
        image = Path(tmp) / "page"
        subprocess.run(
            ["pdftoppm", "-png", "-r", "150", "-singlefile", "-f", "1", str(pdf), str(image)],
            check=True,
        )
        if keep_png:
            shutil.copy(f"{image}.png", keep_png)
        found = subprocess.run(
            ["zbarimg", "--quiet", "--raw", f"{image}.png"],
            check=True,
            capture_output=True,
            text=True,
        )
    return found.stdout.strip()
