"""The production image (Dockerfile) has what WeasyPrint needs to write PDFs, and the
Chromium with which kaleido draws their charts.

There is no Docker engine here, so the image is checked from its parts (docs/operations.md):
1. the libraries WeasyPrint loads are read from WeasyPrint's own source (every soname its
   `_dlopen` calls try), so a new WeasyPrint that loads another library fails this test;
2. each soname maps to the Debian (bookworm, the image's base) package that ships it, in
   the table below; on this machine, where the libraries are installed, `dpkg -S` must name
   the same package, so the table cannot drift from Debian;
3. every package of the table (and the font the PDF style sheet names) is in the
   Dockerfile's `apt-get install` list, and apt installs their own dependencies.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# soname → Debian bookworm package (None: optional and not packaged in bookworm; WeasyPrint
# loads it with allow_fail=True and works without it).
DEBIAN_PACKAGE_OF = {
    "libgobject-2.0.so.0": "libglib2.0-0",
    "libpango-1.0.so.0": "libpango-1.0-0",
    "libharfbuzz.so.0": "libharfbuzz0b",
    "libharfbuzz-subset.so.0": "libharfbuzz-subset0",
    "libharfbuzz-vector.so.0": None,  # HarfBuzz ≥ 10; bookworm has 6.0
    "libfontconfig.so.1": "libfontconfig1",
    "libpangoft2-1.0.so.0": "libpangoft2-1.0-0",
}
# static/css/pdf.css and the PDFs' charts (reporting/exports/chart_images.py) write in DejaVu Sans.
FONT_PACKAGE = "fonts-dejavu-core"
# kaleido (the PDFs' charts) drives the Chromium that choreographer finds on PATH.
BROWSER_PACKAGE = "chromium"


def _weasyprint_sonames() -> set[str]:
    import weasyprint.text.ffi as ffi

    source = Path(ffi.__file__).read_text()
    return set(re.findall(r"'(lib[\w.+-]+\.so\.\d+)'", source))


def _dockerfile_packages() -> set[str]:
    text = (ROOT / "Dockerfile").read_text()
    joined = re.sub(r"\\\n", " ", text)  # continuation lines into one
    packages: set[str] = set()
    for command in re.findall(r"apt-get install ([^&]+)", joined):
        packages.update(word for word in command.split() if not word.startswith("-"))
    return packages


def test_every_library_weasyprint_loads_has_a_debian_package_in_the_table():
    sonames = _weasyprint_sonames()
    assert "libpango-1.0.so.0" in sonames  # the source was read
    assert sonames <= set(DEBIAN_PACKAGE_OF), sonames - set(DEBIAN_PACKAGE_OF)


def test_the_dockerfile_installs_every_package_weasyprint_needs():
    listed = _dockerfile_packages()
    needed = {package for package in DEBIAN_PACKAGE_OF.values() if package} | {FONT_PACKAGE}
    assert needed <= listed, f"missing from the Dockerfile: {sorted(needed - listed)}"


def _library_path(soname: str) -> str | None:
    result = subprocess.run(["ldconfig", "-p"], capture_output=True, text=True, timeout=10)
    for line in result.stdout.splitlines():
        if line.strip().startswith(soname + " ") and "x86-64" in line:
            return line.rsplit("=>", 1)[1].strip()
    return None


@pytest.mark.skipif(not shutil.which("dpkg"), reason="dpkg is not on this machine")
def test_the_table_agrees_with_dpkg_where_the_library_is_installed():
    checked = 0
    for soname, package in DEBIAN_PACKAGE_OF.items():
        path = _library_path(soname)
        if path is None:
            continue  # not installed here (e.g. libharfbuzz-subset0): the table stands
        owner = subprocess.run(
            ["dpkg", "-S", str(Path(path).resolve())], capture_output=True, text=True, timeout=10
        )
        assert owner.returncode == 0, owner.stderr
        assert owner.stdout.split(":", 1)[0] == package, (soname, owner.stdout)
        checked += 1
    assert checked >= 4  # pango, pangoft2, harfbuzz, fontconfig, gobject render the PDFs here


def test_beat_keeps_its_schedule_file_on_a_volume():
    import yaml

    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    beat = compose["services"]["beat"]
    schedule = next(arg for arg in beat["command"] if arg.startswith("--schedule="))
    folder = str(Path(schedule.split("=", 1)[1]).parent)
    mounts = {volume.split(":")[1]: volume.split(":")[0] for volume in beat.get("volumes", [])}
    assert folder in mounts, f"{folder} is not a volume of beat"
    assert mounts[folder] in compose["volumes"]  # a named volume, kept across containers
    assert f"install -d -o portal -g portal {folder}" in (ROOT / "Dockerfile").read_text()


def test_the_dockerfile_installs_the_browser_that_draws_the_pdf_charts():
    assert BROWSER_PACKAGE in _dockerfile_packages()


@pytest.mark.skipif(not shutil.which("dpkg"), reason="dpkg is not on this machine")
def test_the_browser_kaleido_finds_here_comes_from_that_package():
    from choreographer.utils import get_browser_path

    path = get_browser_path(["chromium", "chromium-browser", "google-chrome"])
    assert path, "no Chromium on PATH: the PDFs would go out without their charts"
    owner = subprocess.run(
        ["dpkg", "-S", str(Path(path).resolve())], capture_output=True, text=True, timeout=10
    )
    assert owner.stdout.split(":", 1)[0] == BROWSER_PACKAGE, owner.stdout or owner.stderr
