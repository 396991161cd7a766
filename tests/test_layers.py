"""The apps import downwards (README, "Architecture"): reporting > measures > objectives >
projects > portal. The `layers` contract in pyproject.toml ([tool.importlinter]) says so, and
import-linter checks every import of the five apps against it, those inside functions too;
an import that goes up a layer breaks the contract and fails this test with the offending
chain in its output."""

from __future__ import annotations

from pathlib import Path

from importlinter.cli import lint_imports

PYPROJECT = Path(__file__).resolve().parent.parent / "pyproject.toml"


def test_no_app_imports_an_app_above_it(capsys):
    # when the contract is checked against the code as it is (no cache: the code just read)
    exit_code = lint_imports(config_filename=str(PYPROJECT), no_cache=True, no_logo=True)
    # then it is kept
    report = capsys.readouterr().out
    assert exit_code == 0, report
    assert "1 kept, 0 broken" in report
