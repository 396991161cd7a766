"""Importing indicator values from Sotkanet, THL's open indicator bank (REST API 1.1).

Contract:
- Permission: the caller checks it (admin: change permission on indicators; the management
  command runs as the operator). The services take `actor` and record it on every value.
- `SotkanetClient` only reads (HTTP GET). Every failure (timeout, refused connection, HTTP
  error, non-JSON, JSON of the wrong shape) raises `SotkanetError`, whose message names the
  URL path and what went wrong. Only connection errors and 502/503/504 are retried.
- `sotkanet_import` fetches and validates everything first and writes only afterwards, in
  one transaction, through `measurement_save` (history, lights marked dirty). An unreachable
  or malformed answer, or a value the indicator's unit refuses, changes nothing.
- `sotkanet_file_import` does the same for a file in the API's json shape or its `;`-csv
  shape; one bad row means nothing is written and the row errors are returned.
- Idempotent: values are keyed on (indicator, year-end period); a re-import of the same data
  leaves unchanged values untouched (no new version, no history row).
- `sotkanet_import_start` creates a Job row and queues `sotkanet_import_task` after commit.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field
from datetime import date
from decimal import Decimal
from decimal import InvalidOperation
from typing import Any
from typing import TypedDict
from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from portal.models import Job
from portal.periods import year_end
from portal.queue import enqueue_on_commit
from portal.services import job_create
from portal.uploads import Limits
from portal.uploads import UploadRejected
from portal.uploads import read_csv
from portal.uploads import read_json
from portal.uploads.columns import Column
from portal.uploads.columns import ColumnSpec
from projects.access import Perm
from projects.access import check

from .choices import MeasurementSource
from .choices import SourceSystem
from .models import Indicator
from .models import Measurement
from .services import indicator_span
from .services import measurement_save

SOTKANET_NOTE = "Sotkanet (THL), CC BY 4.0"
JOB_KIND = "sotkanet_import"
# The task that runs the job, named rather than imported: measures.tasks imports this module
# to run it, so the dependency goes one way (tasks → sotkanet), as portal.queue allows.
IMPORT_TASK = "measures.tasks.sotkanet_import_task"
GENDERS = ("total", "male", "female")
# Measurement.value has four decimal places; longer Sotkanet values are rounded to fit.
_PLACES = Decimal("0.0001")


class SotkanetError(Exception):
    """Sotkanet could not give usable data, or the indicator cannot be imported from it."""

    def __init__(self, message: str, *, path: str = "") -> None:
        super().__init__(message)
        self.path = path


class DataRow(TypedDict):
    indicator: int
    region: int
    year: int
    gender: str
    value: Decimal | None


class _RowInvalid(ValueError):
    """One data row is malformed; the message says which field and why."""


# --- HTTP client ----------------------------------------------------------------------------


def _session() -> requests.Session:
    # Retry only what is transient: refused/failed connections and gateway errors. A read
    # timeout is not retried (read=False), so a slow Sotkanet costs one timeout, not three.
    retry = Retry(
        total=2,
        connect=2,
        read=False,
        status=2,
        other=0,
        status_forcelist=(502, 503, 504),
        allowed_methods=frozenset({"GET"}),
        backoff_factor=0.2,
        backoff_max=2,
        raise_on_status=False,
        respect_retry_after_header=False,  # a long Retry-After would outlive the task's limit
    )
    session = requests.Session()
    session.mount("http://", HTTPAdapter(max_retries=retry))
    session.mount("https://", HTTPAdapter(max_retries=retry))
    session.headers.update({"Accept": "application/json", "User-Agent": "sote-portal"})
    return session


class SotkanetClient:
    """A small read-only client for the Sotkanet REST API 1.1."""

    def __init__(self, base_url: str | None = None, timeout: float | None = None) -> None:
        # Read at call time, not import time, so overridden settings (tests) take effect.
        self.base_url = (base_url or settings.SOTKANET_BASE_URL).rstrip("/") + "/"
        self.timeout = float(timeout if timeout is not None else settings.SOTKANET_TIMEOUT)
        self.session = _session()

    def close(self) -> None:
        self.session.close()

    def __enter__(self) -> SotkanetClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def data(self, indicator_id: int, years: Iterable[int], gender: str = "total") -> list[DataRow]:
        """Values of one indicator for every region in `years` (one `years` parameter each)."""
        params: list[tuple[str, str | int]] = [("indicator", int(indicator_id))]
        params += [("years", year) for year in sorted(set(years))]
        params.append(("genders", gender))
        payload, path = self._get("json", params)
        rows = _list_of_objects(payload, path)
        parsed, problems = _parse_rows(_numbered(rows))
        problems += _foreign_or_duplicate(parsed, int(indicator_id))
        if problems:
            raise _shape_error(path, problems[0])
        return [row for _label, row in parsed]

    def _get(self, endpoint: str, params: list[tuple[str, Any]] | None = None) -> tuple[Any, str]:
        url = self.base_url + endpoint
        path = urlsplit(url).path
        try:
            response = self.session.get(
                url, params=params, timeout=(min(self.timeout, 5.0), self.timeout)
            )
            response.raise_for_status()
        except requests.Timeout:
            message = _("Sotkanet did not answer %(path)s within %(seconds)s seconds.")
            detail = {"path": path, "seconds": f"{self.timeout:g}"}
            raise SotkanetError(message % detail, path=path) from None
        except requests.ConnectionError:
            message = _("Sotkanet could not be reached at %(path)s (the connection failed).")
            raise SotkanetError(message % {"path": path}, path=path) from None
        except requests.HTTPError:
            message = _("Sotkanet answered %(path)s with HTTP error %(status)s.")
            status = response.status_code
            raise SotkanetError(message % {"path": path, "status": status}, path=path) from None
        except requests.RequestException as exc:
            message = _("The request to Sotkanet %(path)s failed: %(error)s.")
            raise SotkanetError(message % {"path": path, "error": exc}, path=path) from None
        try:
            return response.json(), path
        except ValueError:
            message = _("Sotkanet answered %(path)s with something other than JSON.")
            raise SotkanetError(message % {"path": path}, path=path) from None


def _kind(payload: Any) -> dict[str, str]:
    names = {dict: _("an object"), list: _("a list"), str: _("a text"), type(None): "null"}
    return {"kind": names.get(type(payload), _("a number"))}


def _shape_error(path: str, problem: str) -> SotkanetError:
    message = _("Sotkanet answered %(path)s with data of an unexpected shape: %(problem)s.")
    return SotkanetError(message % {"path": path, "problem": problem}, path=path)


def _list_of_objects(payload: Any, path: str) -> list[dict[str, Any]]:
    if not isinstance(payload, list):
        raise _shape_error(path, _("expected a list, got %(kind)s") % _kind(payload))
    for number, item in enumerate(payload, start=1):
        if not isinstance(item, dict):
            raise _shape_error(path, _("row %(row)s is not an object") % {"row": number})
    return payload


# --- Data rows (shared by the API and file imports; pure) -----------------------------------


def _whole(raw: Mapping[str, Any], name: str) -> int:
    value = raw.get(name)
    if value is None or (isinstance(value, str) and not value.strip()):
        raise _RowInvalid(_("%(field)s is missing") % {"field": name})
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    raise _RowInvalid(_("%(field)s '%(value)s' is not a number") % {"field": name, "value": value})


def _year(raw: Mapping[str, Any]) -> int:
    year = _whole(raw, "year")
    if not 1900 <= year <= 2100:
        raise _RowInvalid(_("year %(year)s is not between 1900 and 2100") % {"year": year})
    return year


def _gender(raw: Mapping[str, Any]) -> str:
    gender = str(raw.get("gender") or "").strip().lower()
    if gender not in GENDERS:
        shown = raw.get("gender") or ""
        raise _RowInvalid(_("gender '%(gender)s' is not total, male or female") % {"gender": shown})
    return gender


def _value(raw: Mapping[str, Any]) -> Decimal | None:
    value = raw.get("value")
    if value is None or (isinstance(value, str) and not value.strip()):
        return None  # Sotkanet has no value (e.g. too few cases to publish)
    number: Decimal | None = None
    if isinstance(value, int | float) and not isinstance(value, bool):
        number = Decimal(str(value)) if math.isfinite(value) else None
    elif isinstance(value, str):
        text = value.strip().replace("\u00a0", "").replace(" ", "").replace(",", ".")
        try:
            number = Decimal(text)
        except InvalidOperation:
            number = None
    if number is None or not number.is_finite():
        raise _RowInvalid(_("value '%(value)s' is not a number") % {"value": value})
    return number.quantize(_PLACES) if number.as_tuple().exponent < -4 else number


# The columns of Sotkanet's csv answer (its json rows have the same keys), all required,
# each read from a row (a mapping) by its own function, in this order.
SPEC = ColumnSpec(
    [
        Column("indicator", required=True, parse=lambda raw: _whole(raw, "indicator")),
        Column("region", required=True, parse=lambda raw: _whole(raw, "region")),
        Column("year", required=True, parse=_year),
        Column("gender", required=True, parse=_gender),
        Column("value", required=True, parse=_value),
    ]
)


def _parse_row(raw: Any) -> DataRow:
    if not isinstance(raw, Mapping):
        raise _RowInvalid(_("a row must have indicator, region, year, gender and value"))
    return DataRow(**{column.key: column.parse(raw) for column in SPEC})


def _numbered(raw_rows: Iterable[Any]) -> list[tuple[str, Any]]:
    return [(_("row %(row)s") % {"row": number}, raw) for number, raw in enumerate(raw_rows, 1)]


def _parse_rows(labelled: Iterable[tuple[str, Any]]) -> tuple[list[tuple[str, DataRow]], list[str]]:
    """Parse (label, raw row) pairs; errors read "row 3: year 'x' is not a number"."""
    parsed: list[tuple[str, DataRow]] = []
    errors: list[str] = []
    for label, raw in labelled:
        try:
            parsed.append((label, _parse_row(raw)))
        except _RowInvalid as exc:
            errors.append(f"{label}: {exc}")
    return parsed, errors


def _foreign_or_duplicate(rows: list[tuple[str, DataRow]], indicator_id: int) -> list[str]:
    """Problems a row cannot show alone: another indicator's data, or a year given twice."""
    problems: list[str] = []
    seen: dict[tuple[int, int, str], str] = {}
    for label, row in rows:
        if row["indicator"] != indicator_id:
            message = _("indicator %(found)s is not this indicator's Sotkanet id %(id)s")
            detail = {"found": row["indicator"], "id": indicator_id}
            problems.append(f"{label}: " + message % detail)
        key = (row["region"], row["year"], row["gender"])
        if key in seen:
            message = _("year %(year)s for region %(region)s is given twice (also %(other)s)")
            detail = {"year": row["year"], "region": row["region"], "other": seen[key]}
            problems.append(f"{label}: " + message % detail)
        seen.setdefault(key, label)
    return problems


def rows_for_region(
    rows: Iterable[DataRow], sotkanet_region_id: int, *, gender: str = "total"
) -> list[tuple[int, Decimal | None]]:
    """(year, value) of one region and gender, by year; value None where Sotkanet has none."""
    return sorted(
        (row["year"], row["value"])
        for row in rows
        if row["region"] == sotkanet_region_id and row["gender"] == gender
    )


# --- Writing --------------------------------------------------------------------------------


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    skipped: int = 0  # Sotkanet has no value for the year (null)
    errors: list[str] = field(default_factory=list)
    unchanged: int = 0  # same value already imported: not written again

    def counts(self) -> dict[str, int]:
        return {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "skipped": self.skipped,
        }

    def summary(self) -> str:
        if self.errors:
            message = ngettext(
                "Nothing was imported: %(count)d problem was found.",
                "Nothing was imported: %(count)d problems were found.",
                len(self.errors),
            )
            return message % {"count": len(self.errors)}
        if not any(self.counts().values()):
            return _("No values for the hanke's region were found; nothing was imported.")
        return (
            _(
                "Created: %(created)s, updated: %(updated)s, unchanged: %(unchanged)s, "
                "without a value: %(skipped)s."
            )
            % self.counts()
        )


def sotkanet_import_blocker(indicator: Indicator) -> str | None:
    """Why `indicator` cannot be imported from Sotkanet, or None when it can."""
    if indicator.source_system != SourceSystem.SOTKANET:
        return _("%(code)s is not a Sotkanet indicator.") % {"code": indicator.code}
    if not indicator.source_id.strip().isdigit():
        return _("%(code)s has no numeric Sotkanet indicator id.") % {"code": indicator.code}
    region = indicator.project.region
    if region.sotkanet_id is None:
        return _("The region %(region)s has no Sotkanet region id.") % {"region": region}
    return None


def _import_target(indicator: Indicator) -> tuple[int, int]:
    blocker = sotkanet_import_blocker(indicator)
    if blocker:
        raise SotkanetError(blocker)
    return int(indicator.source_id), indicator.project.region.sotkanet_id


def _write_values(
    *, indicator: Indicator, values: list[tuple[str, int, Decimal | None]], actor: Any
) -> ImportResult:
    """Save (label, year, value) triples all or nothing; a refused value rolls everything back."""
    result = ImportResult()
    with transaction.atomic():
        periods = [year_end(year) for _label, year, _value in values]
        existing = {
            m.period: m for m in Measurement.objects.filter(indicator=indicator, period__in=periods)
        }
        for label, year, value in values:
            if value is None:
                result.skipped += 1
                continue
            current = existing.get(year_end(year))
            if current and current.value == value and current.source == MeasurementSource.SOTKANET:
                result.unchanged += 1
                continue
            try:
                saved = measurement_save(
                    indicator=indicator,
                    period=year_end(year),
                    raw_value=str(value),
                    source=MeasurementSource.SOTKANET,
                    actor=actor,
                    note=SOTKANET_NOTE,
                )
            except ValidationError as exc:
                result.errors.append(f"{label}: {' '.join(exc.messages)}")
                continue
            result.created += saved.created
            result.updated += not saved.created
        if result.errors:
            transaction.set_rollback(True)
            return ImportResult(errors=result.errors)
    return result


def sotkanet_import(
    *,
    indicator: Indicator,
    years: Iterable[int],
    actor: Any,
    client: SotkanetClient | None = None,
) -> ImportResult:
    """Import the hanke region's yearly values of `indicator` for `years` from Sotkanet.

    Permission: Perm.ENTER_MEASUREMENTS on the hanke (checked; actor None = system).
    Side effects: HTTP GET to Sotkanet (outside any transaction),
    then Measurement rows written atomically via measurement_save. Idempotent per value.
    Raises SotkanetError when Sotkanet fails or the indicator is not set up for Sotkanet.
    """
    check(actor, Perm.ENTER_MEASUREMENTS, indicator.project)
    indicator_id, region_id = _import_target(indicator)
    years = sorted(set(years))
    if not years:
        raise SotkanetError(_("Choose at least one year to import."))
    own_client = client is None
    client = client or SotkanetClient()
    try:
        rows = client.data(indicator_id, years)
    finally:
        if own_client:
            client.close()
    values = [
        (_("year %(year)s") % {"year": year}, year, value)
        for year, value in rows_for_region(rows, region_id)
    ]
    return _write_values(indicator=indicator, values=values, actor=actor)


# --- Files ----------------------------------------------------------------------------------


def file_limits() -> Limits:
    return Limits.from_settings(
        max_bytes=settings.SOTKANET_FILE_MAX_BYTES, max_rows=settings.SOTKANET_FILE_MAX_ROWS
    )


def _json_rows(content: bytes | str) -> tuple[list[tuple[str, Any]], list[str]]:
    payload = read_json(content, file_limits())
    if not isinstance(payload, list):
        return [], [_("The JSON file must hold a list of rows, as Sotkanet's json answer does.")]
    if len(payload) > settings.SOTKANET_FILE_MAX_ROWS:
        return [], [
            _("The file has more than %(count)s rows.") % {"count": settings.SOTKANET_FILE_MAX_ROWS}
        ]
    return _numbered(payload), []


def _csv_rows(content: bytes | str) -> tuple[list[tuple[str, Any]], list[str]]:
    raw = content.encode("utf-8", "surrogatepass") if isinstance(content, str) else content
    table = read_csv(raw, file_limits())
    records = [(number, row) for number, row in zip(table.numbers, table.rows, strict=True) if row]
    if not records:
        return [], [_("The file is empty.")]
    header = [SPEC.resolve(name) or name for name in records[0][1]]
    missing = SPEC.missing(header)
    if missing:
        message = _("The first row must name the columns %(columns)s; missing: %(missing)s.")
        return [], [message % {"columns": ";".join(SPEC.keys), "missing": ", ".join(missing)}]
    # Row numbers are file lines (the header is row 1), as a spreadsheet shows them.
    return [
        (_("row %(row)s") % {"row": number}, dict(zip(header, row, strict=False)))
        for number, row in records[1:]
    ], []


def _parse_file(content: bytes | str, filename: str) -> tuple[list[tuple[str, DataRow]], list[str]]:
    suffix = filename.lower().rsplit(".", 1)[-1]
    if suffix not in ("json", "csv"):
        return [], [_("The file must be a .json or a .csv file from Sotkanet.")]
    try:
        raw_rows, errors = _json_rows(content) if suffix == "json" else _csv_rows(content)
    except UploadRejected as exc:
        return [], [exc.message]
    parsed, row_errors = _parse_rows(raw_rows)
    return parsed, errors + row_errors


def sotkanet_file_import(
    *,
    indicator: Indicator,
    uploaded_text: bytes | str,
    filename: str,
    actor: Any,
    years: Iterable[int] | None = None,
) -> ImportResult:
    """Import the hanke region's values of `indicator` from a Sotkanet json or `;`-csv file.

    `uploaded_text` is the file as uploaded (bytes) or as text; portal.uploads reads it
    within SOTKANET_FILE_MAX_BYTES, SOTKANET_FILE_MAX_ROWS and the UPLOAD_* limits.

    Permission: Perm.ENTER_MEASUREMENTS on the hanke (checked; actor None = system).
    Side effects: Measurement rows via measurement_save, all or
    nothing: any bad row returns its error ("row 3: …") and writes nothing. Idempotent per
    value. `years`, when given, limits the import to those years. Raises SotkanetError only
    when the indicator is not set up for Sotkanet.
    """
    check(actor, Perm.ENTER_MEASUREMENTS, indicator.project)
    indicator_id, region_id = _import_target(indicator)
    rows, errors = _parse_file(uploaded_text, filename)
    errors += _foreign_or_duplicate(rows, indicator_id)
    if errors:
        return ImportResult(errors=errors)
    wanted = set(years) if years is not None else None
    values = [
        (label, row["year"], row["value"])
        for label, row in rows
        if row["region"] == region_id
        and row["gender"] == "total"
        and (wanted is None or row["year"] in wanted)
    ]
    return _write_values(indicator=indicator, values=values, actor=actor)


# --- Background jobs ------------------------------------------------------------------------


def sotkanet_default_years(indicator: Indicator, *, today: date, count: int = 5) -> list[int]:
    """The last `count` full years before `today` that fall within the indicator's span."""
    start, end = indicator_span(indicator)
    first, last = max(today.year - count, start.year), min(today.year - 1, end.year)
    return list(range(first, last + 1))


@transaction.atomic
def sotkanet_import_start(*, indicator: Indicator, years: Iterable[int], actor: Any) -> Job:
    """Create a Job for a Sotkanet import and queue `sotkanet_import_task` after commit.

    Permission: Perm.ENTER_MEASUREMENTS on the hanke (checked; actor None = system).
    Raises SotkanetError when the indicator is not set up for
    Sotkanet or no year is given. Starting twice creates two jobs; running both is harmless.
    """
    check(actor, Perm.ENTER_MEASUREMENTS, indicator.project)

    _import_target(indicator)
    years = sorted(set(years))
    if not years:
        raise SotkanetError(_("Choose at least one year to import."))
    job = job_create(
        kind=JOB_KIND,
        actor=actor,
        project=indicator.project,
        params={"indicator_id": indicator.pk, "years": years},
    )
    enqueue_on_commit(IMPORT_TASK, job.pk)
    return job
