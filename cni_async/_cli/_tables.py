"""Which columns a person sees for each model in `--output table`, and how cells read.

A BGP MD5 key is never shown in a table: it reads `***` when set.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, cast

from .._models import (
    Cni,
    GcpPartnerInterconnect,
    InterconnectStatus,
    PhysicalInterconnect,
    Settings,
    Slot,
)

__all__ = ["render", "rows_of"]

Column = tuple[str, Callable[[Any], object]]
_GAP = "  "


def _location(icon: PhysicalInterconnect | GcpPartnerInterconnect) -> str:
    return icon.site if isinstance(icon, PhysicalInterconnect) else icon.region


def _facility(icon: PhysicalInterconnect | GcpPartnerInterconnect) -> str | None:
    return icon.facility.name if isinstance(icon, PhysicalInterconnect) else None


def _slot(icon: PhysicalInterconnect | GcpPartnerInterconnect) -> str | None:
    return icon.slot_id if isinstance(icon, PhysicalInterconnect) else None


def _md5(cni: Cni) -> str | None:
    return "***" if cni.bgp is not None and cni.bgp.md5_key is not None else None


_INTERCONNECT: list[Column] = [
    ("NAME", lambda i: i.name),
    ("TYPE", lambda i: i.type),
    ("SITE/REGION", _location),
    ("SPEED", lambda i: i.speed),
    ("FACILITY", _facility),
    ("SLOT", _slot),
]
_CNI: list[Column] = [
    ("ID", lambda c: c.id),
    ("INTERCONNECT", lambda c: c.interconnect),
    ("CONDUIT", lambda c: c.magic.conduit_name),
    ("DESCRIPTION", lambda c: c.magic.description),
    ("MTU", lambda c: c.magic.mtu),
    ("P2P_IP", lambda c: c.p2p_ip),
    ("CUST_IP", lambda c: c.cust_ip),
    ("ASN", lambda c: c.bgp and c.bgp.customer_asn),
    ("PREFIXES", lambda c: c.bgp and c.bgp.extra_prefixes),
    ("MD5_KEY", _md5),
]
_SLOT: list[Column] = [
    ("ID", lambda s: s.id),
    ("SITE", lambda s: s.site),
    ("FACILITY", lambda s: s.facility.name),
    ("SPEED", lambda s: s.speed),
    ("OCCUPIED", lambda s: s.occupied),
    ("ACCOUNT", lambda s: s.account),
]
_COLUMNS: dict[type, list[Column]] = {
    PhysicalInterconnect: _INTERCONNECT,
    GcpPartnerInterconnect: _INTERCONNECT,
    Cni: _CNI,
    Slot: _SLOT,
    InterconnectStatus: [("STATE", lambda s: s.state), ("REASON", lambda s: s.reason)],
    Settings: [("DEFAULT_ASN", lambda s: s.default_asn)],
}


def cell(value: object) -> str:
    """One value as table text; control characters from the API cannot move the cursor."""
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (list, tuple)):  # the models' arrays are tuples
        return ",".join(cell(item) for item in cast("Sequence[object]", value)) or "-"
    return "".join(char if char.isprintable() else "?" for char in str(value))


def rows_of(models: Sequence[object], model_type: type) -> list[list[str]]:
    """The header row, then one row per model, for the columns of `model_type`."""
    columns = _COLUMNS[model_type]
    return [[name for name, _ in columns]] + [
        [cell(getter(model)) for _, getter in columns] for model in models
    ]


def render(rows: list[list[str]]) -> list[str]:
    """Rows as lines of left-aligned columns two spaces apart."""
    widths = [max(len(row[index]) for row in rows) for index in range(len(rows[0]))]
    return [
        _GAP.join(text.ljust(width) for text, width in zip(row, widths, strict=True)).rstrip()
        for row in rows
    ]
