"""The programme overview's light cells, one tag a region's row.

The matrix is 26 regions × six lights (five HTs and "All"), each cell a light with its
reason (the items behind, linked) and its distribution. Through the template engine every
cell also paid for its loop step and its two tag calls (~150 Python calls a cell, a fifth of
the page: docs/performance.md); here a row's cells are joined once, with the same light and
distribution tags the rest of the portal draws (portal/templatetags/portal_tags.py).
"""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString

from portal.templatetags.portal_tags import distribution, light

register = template.Library()


def _cell(key: object, cell) -> str:
    return f'<td data-ht="{key}">{light(cell.assessment)}{distribution(cell.counts)}</td>'


@register.simple_tag
def overview_cells(row) -> SafeString:
    """`{% overview_cells row %}`: a `<td>` per shown HT (`row.cells`) and the "All" one."""
    cells = [_cell(number, cell) for number, cell in row.cells]
    cells.append(_cell("all", row.total))
    return SafeString("\n      ".join(cells))
