"""Finnish hyphenation for the PDF documents (WeasyPrint's `hyphens: auto`).

WeasyPrint hyphenates with Pyphen, whose dictionaries have no Finnish one; a narrow column
then broke "Työpaketti" as "Työpaket ti" instead of "Työpa-ketti". Finnish hyphenation is
regular enough to state as patterns: a syllable starts at the consonant before a vowel
("vas-tuu-hen-ki-lö", "kans-sa"), and two vowels that never form a diphthong or a long vowel
are split ("ko-e", "tu-a"). `register()` writes these patterns once as a Hunspell/libhyphen
dictionary file and hands it to Pyphen for "fi"; WeasyPrint then follows the document's lang.
"""

from __future__ import annotations

import functools
import tempfile
from pathlib import Path

import pyphen

VOWELS = "aeiouyäöå"
CONSONANTS = "bcdfghjklmnpqrstvwxzšž"
# Vowel pairs that are split in every position (never a diphthong or a long vowel).
SPLIT_VOWELS = ("ae", "ao", "ea", "eo", "ia", "io", "oa", "oe", "ua", "ue", "iä", "iö", "yä")


def finnish_patterns() -> list[str]:
    before_consonant = [f"1{c}{v}" for c in CONSONANTS for v in VOWELS]
    between_vowels = [f"{a}1{b}" for a, b in SPLIT_VOWELS]
    return before_consonant + between_vowels


@functools.cache
def register() -> Path:
    """Give Pyphen (and so WeasyPrint) the Finnish patterns; once per process."""
    if pyphen.language_fallback("fi"):
        return Path(pyphen.LANGUAGES[pyphen.language_fallback("fi")])
    folder = Path(tempfile.mkdtemp(prefix="portal-hyphenation-"))
    path = folder / "hyph_fi_FI.dic"
    path.write_text("UTF-8\n" + "\n".join(finnish_patterns()) + "\n", encoding="utf-8")
    for name in ("fi", "fi_FI"):
        pyphen.LANGUAGES[name] = path
        pyphen.LANGUAGES_LOWERCASE[name.lower()] = name
    return path
