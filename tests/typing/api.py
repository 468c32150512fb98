"""What users write, only type-checked (mypy --strict, pyright strict), never run."""

from __future__ import annotations

import attrs

import cni_async


async def day_one(cf: cni_async.Client) -> None:
    """The contract's calls, each with the type it promises."""
    slot: cni_async.Slot = await cf.slots.get("3fa85f64-5717-4562-b3fc-2c963f66afa6")
    icon: cni_async.Interconnect = await cf.interconnects.create(
        cni_async.PhysicalInterconnectCreate(slot_id=slot.id)  # `account`: the call's
    )
    if isinstance(icon, cni_async.PhysicalInterconnect):
        facility: cni_async.Facility = icon.facility
        print(facility.name)
    else:
        region: str = icon.region
        print(region)
    status: cni_async.InterconnectStatus = await cf.interconnects.status(icon.name)
    state: str = status.state
    pdf: bytes = await cf.interconnects.loa(icon.name, name="ACME")
    await cf.interconnects.delete(icon.name)
    print(state, pdf)

    paginator: cni_async.Paginator[cni_async.Interconnect] = cf.interconnects.list(limit=100)
    async for item in paginator:
        print(item.name)
    async for page in paginator.pages():
        items: tuple[cni_async.Interconnect, ...] = page.items
        cursor: int | None = page.next
        print(items, cursor)

    cni: cni_async.Cni = await cf.cnis.get("3fa85f64-5717-4562-b3fc-2c963f66afa6")
    cni = await cf.cnis.update(attrs.evolve(cni, magic=attrs.evolve(cni.magic, mtu=1400)))
    settings: cni_async.Settings = await cf.settings.update(default_asn=65000)
    print(cni.p2p_ip, settings.default_asn)


async def batch_job(cf: cni_async.Client, names: list[str]) -> None:
    """Batch helpers keep their types."""
    results: list[cni_async.InterconnectStatus | Exception] = await cni_async.batch(
        cf.interconnects.status, names, concurrency=8
    )
    hurried: cni_async.Client = cf.with_options(deadline=5.0)
    final: cni_async.InterconnectStatus = await hurried.interconnects.wait_for_status(names[0])
    print(results, final)


async def errors(cf: cni_async.Client) -> None:
    """Error attributes are typed."""
    try:
        await cf.settings.get()
    except cni_async.RateLimitError as exc:
        wait: float | None = exc.retry_after
        print(wait)
    except cni_async.APIStatusError as exc:
        code: int = exc.status_code
        details: list[cni_async.ErrorDetail] = exc.errors
        ray: str | None = exc.request_id
        print(code, details, ray)


def traced() -> cni_async.Client:
    """The `otel` extra: the SDK's providers are what the client takes."""
    from opentelemetry.sdk.metrics import MeterProvider
    from opentelemetry.sdk.trace import TracerProvider

    return cni_async.Client(tracer_provider=TracerProvider(), meter_provider=MeterProvider())
