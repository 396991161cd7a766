"""PDF table headers break Finnish words at syllables, with a hyphen, never inside a syllable."""

from __future__ import annotations

import io

import pyphen
import pytest
from pypdf import PdfReader
from weasyprint import HTML

from reporting.exports.hyphenation import register


@pytest.mark.parametrize(
    ("word", "parts"),
    [
        ("Työpaketti", "Työ-pa-ket-ti"),
        ("Vastuuhenkilö", "Vas-tuu-hen-ki-lö"),
        ("Käynnistymässä", "Käyn-nis-ty-mäs-sä"),
        ("Hyötytavoite", "Hyö-ty-ta-voi-te"),
        ("valmistuminen", "val-mis-tu-mi-nen"),
    ],
)
def test_finnish_words_are_split_at_syllables(word, parts):
    register()
    assert pyphen.Pyphen(lang="fi").inserted(word) == parts


def test_a_narrow_pdf_header_hyphenates_by_the_document_language():
    # given a Finnish document whose header cell is narrower than its word
    register()
    html = (
        '<html lang="fi"><body><table style="width: 16mm; table-layout: fixed">'
        '<thead><tr><th style="hyphens: auto; overflow-wrap: break-word; font-size: 9pt">'
        "Vastuuhenkilö</th></tr></thead></table></body></html>"
    )
    # when it is laid out as a PDF
    text = PdfReader(io.BytesIO(HTML(string=html).write_pdf())).pages[0].extract_text()
    # then the word breaks at a syllable, with a hyphen (WeasyPrint's is U+2010)
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    assert lines[0] == "Vastuu\u2010", lines
    assert "".join(lines).replace("\u2010", "") == "Vastuuhenkilö"
