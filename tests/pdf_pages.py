"""Reading a document laid out by LibreOffice: the tests that check page breaks use these and skip without it."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

LIBREOFFICE = pytest.mark.skipif(not shutil.which("soffice") or not shutil.which("pdftotext"),
                                 reason="LibreOffice / poppler-utils are not installed")


def pdf_pages(pdf) -> list[str]:
    """The text of each page of a PDF (poppler's pdfinfo and pdftotext), page by page."""
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, encoding="utf-8", check=True).stdout
    count = int(re.search(r"Pages:\s+(\d+)", info).group(1))
    return [subprocess.run(["pdftotext", "-f", str(n), "-l", str(n), "-layout", str(pdf), "-"],
                           capture_output=True, text=True, encoding="utf-8", check=True).stdout
            for n in range(1, count + 1)]
