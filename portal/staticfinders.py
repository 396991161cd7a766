"""Serve Plotly's browser bundle from the installed npm package, never from a copy in git.

`make setup` runs `npm ci`, which installs `plotly.js-basic-dist-min` (pinned in
package.json / package-lock.json) into node_modules/. Its `plotly-basic.min.js` is the
smallest official bundle that draws our charts (scatter and bar traces: the apps' charts.py):
1.1 MB instead of the 4.9 MB full bundle in the plotly wheel, about 0.35 MB gzipped. It is
served as `vendor/plotly.min.js`, so templates need not know which bundle it is; its version
matches the plotly.js the plotly wheel is built for (a system check compares them).
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import plotly
from django.conf import settings
from django.contrib.staticfiles.finders import BaseFinder
from django.core.checks import Warning
from django.core.files.storage import FileSystemStorage

PLOTLY_PACKAGE = "plotly.js-basic-dist-min"
PLOTLY_FILE = "plotly-basic.min.js"
PLOTLY_NAME = "vendor/plotly.min.js"
WHEEL_BUNDLE = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"


def package_dir() -> Path:
    return Path(settings.BASE_DIR) / "node_modules" / PLOTLY_PACKAGE


def _wheel_plotly_js_version() -> str | None:
    with WHEEL_BUNDLE.open(encoding="utf-8") as bundle:
        match = re.search(r"plotly\.js v(\d+\.\d+\.\d+)", bundle.read(200))
    return match.group(1) if match else None


class _PlotlyStorage(FileSystemStorage):
    """node_modules/<package>/ as a storage whose one file is listed as vendor/plotly.min.js."""

    def path(self, name: str) -> str:
        if name == "plotly.min.js":
            name = PLOTLY_FILE
        return super().path(name)


class PlotlyFinder(BaseFinder):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.storage = _PlotlyStorage(location=package_dir())
        self.storage.prefix = "vendor"

    def check(self, **kwargs) -> list:
        bundle = package_dir() / PLOTLY_FILE
        if not bundle.exists():
            # A warning, not an error: everything but the charts works, and an error would stop
            # every management command (migrate included) until npm has run.
            return [
                Warning(
                    f"{bundle} is missing, so pages cannot draw charts.",
                    hint="Run `make setup` (it runs `npm ci`).",
                    id="portal.W102",
                )
            ]
        installed = json.loads((package_dir() / "package.json").read_text())["version"]
        expected = _wheel_plotly_js_version()
        if expected and installed != expected:
            return [
                Warning(
                    f"{PLOTLY_PACKAGE} {installed} differs from plotly.js {expected}, "
                    "which the plotly wheel builds its figures for.",
                    hint="Pin the same version in package.json and run `npm install`.",
                    id="portal.W101",
                )
            ]
        return []

    def find(self, path: str, find_all: bool = False, **kwargs):
        if path == PLOTLY_NAME:
            match = str(package_dir() / PLOTLY_FILE)
            return [match] if find_all else match
        return []

    def list(self, ignore_patterns):
        if (package_dir() / PLOTLY_FILE).exists():
            yield "plotly.min.js", self.storage


LIGHTS_NAME = "css/lights.css"


def lights_dir() -> Path:
    """Where css/lights.css is written: a folder of its own under the system's temporary
    directory (writable by the image's user too, where the code folder is not)."""
    import tempfile

    return Path(tempfile.gettempdir()) / "portal-generated-static"


class LightsFinder(BaseFinder):
    """Serves css/lights.css, generated from portal/lights.py (`light_css()`), so the lights'
    colours are defined once: pages link it, PDFs fetch it through the finders
    (reporting/exports/pdf.py) and collectstatic collects it like any file."""

    def _write(self) -> Path:
        from .lights import light_css

        path = lights_dir() / LIGHTS_NAME
        text = light_css()
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.parent.mkdir(parents=True, exist_ok=True)
            temporary = path.with_suffix(f".{os.getpid()}.tmp")
            temporary.write_text(text, encoding="utf-8")
            temporary.replace(path)  # atomic: a reader never sees half a file
        return path

    def find(self, path: str, find_all: bool = False, **kwargs):
        if path == LIGHTS_NAME:
            match = str(self._write())
            return [match] if find_all else match
        return []

    def list(self, ignore_patterns):
        self._write()
        yield LIGHTS_NAME, FileSystemStorage(location=lights_dir())
