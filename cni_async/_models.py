"""The typed models of the CNI API: frozen attrs classes, one per concept.

The same class serves every operation that carries the concept (get, list and
create all return `Interconnect`). Field names are the API's own. Array fields
are tuples, so every model is immutable and hashable; a list given when building
a body is stored as a tuple.
"""

from __future__ import annotations

from typing import Generic, TypeVar, Union

import attrs

__all__ = [
    "BgpControl",
    "Cni",
    "CniCreate",
    "Facility",
    "GcpPartnerInterconnect",
    "GcpPartnerInterconnectCreate",
    "Interconnect",
    "InterconnectCreate",
    "InterconnectStatus",
    "MagicSettings",
    "Page",
    "PhysicalInterconnect",
    "PhysicalInterconnectCreate",
    "Settings",
    "Slot",
]

T = TypeVar("T")


def _redacted(value: str | None) -> str:
    return "None" if value is None else "'***'"


def _tuple(value: list[str] | tuple[str, ...]) -> tuple[str, ...]:
    """A list becomes a tuple; anything else is left for validation to refuse."""
    return tuple(value) if isinstance(value, list) else value


@attrs.frozen
class Facility:
    """A data-centre facility: its postal address lines and its name."""

    address: tuple[str, ...]  # only read from responses: no list to convert
    name: str


@attrs.frozen
class PhysicalInterconnect:
    """A direct (physical cross-connect) interconnect on a slot."""

    account: str
    name: str
    type: str
    facility: Facility
    site: str
    slot_id: str
    speed: str
    owner: str | None = None
    virtual_port_reservation_id: str | None = None
    ccr_device_name: str | None = None


@attrs.frozen
class GcpPartnerInterconnect:
    """A Google Cloud partner interconnect, in a GCP region."""

    account: str
    name: str
    type: str
    region: str
    owner: str | None = None
    speed: str | None = None
    virtual_port_reservation_id: str | None = None


Interconnect = Union[PhysicalInterconnect, GcpPartnerInterconnect]  # noqa: UP007 - a runtime alias


@attrs.frozen
class InterconnectStatus:
    """An interconnect's health.

    `state` is "Pending", "Down", "Unhealthy" or "Healthy", or a value the API
    adds later, kept as a plain string. `reason` may explain Down and Unhealthy.
    """

    state: str
    reason: str | None = None


@attrs.frozen(kw_only=True)
class PhysicalInterconnectCreate:
    """The body that creates a direct interconnect on a free slot.

    `account` may be left out: the call fills in the account it goes to.
    """

    account: str | None = None
    slot_id: str
    speed: str | None = None
    type: str = "direct"


@attrs.frozen(kw_only=True)
class GcpPartnerInterconnectCreate:
    """The body that creates a GCP partner interconnect from a pairing key.

    `account` may be left out: the call fills in the account it goes to.
    """

    account: str | None = None
    bandwidth: str
    pairing_key: str
    type: str = "gcp_partner"


InterconnectCreate = Union[PhysicalInterconnectCreate, GcpPartnerInterconnectCreate]  # noqa: UP007


@attrs.frozen
class MagicSettings:
    """The Magic WAN side of a CNI: conduit name, description and MTU."""

    conduit_name: str
    description: str
    mtu: int


@attrs.frozen
class BgpControl:
    """BGP on a CNI. `md5_key` is shown as '***' in reprs, never in clear."""

    customer_asn: int
    extra_prefixes: tuple[str, ...] = attrs.field(converter=_tuple)
    md5_key: str | None = attrs.field(default=None, repr=_redacted)


@attrs.frozen(kw_only=True)
class CniCreate:
    """The body that creates a CNI on an interconnect.

    `account` may be left out: the call fills in the account it goes to.
    """

    account: str | None = None
    interconnect: str
    magic: MagicSettings
    bgp: BgpControl | None = None


@attrs.frozen
class Cni:
    """A Cloudflare Network Interconnect: a point-to-point link on an interconnect.

    It is also the body of `cnis.update`, a full replacement, so the natural
    edit is `get`, then `attrs.evolve`, then `update`.
    """

    id: str
    account: str
    interconnect: str
    p2p_ip: str
    cust_ip: str
    magic: MagicSettings
    bgp: BgpControl | None = None
    bgp_mode: str | None = None


@attrs.frozen
class Slot:
    """A port slot in a facility where a direct interconnect can be made."""

    id: str
    occupied: bool
    site: str
    speed: str
    facility: Facility
    account: str | None = None
    ccr_device_name: str | None = None


@attrs.frozen
class Settings:
    """The account's CNI settings."""

    default_asn: int


@attrs.frozen
class Page(Generic[T]):
    """One page of a list: its items and the cursor of the next page, if any."""

    items: tuple[T, ...]
    next: int | None = None
