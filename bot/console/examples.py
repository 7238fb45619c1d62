"""A handful of real calls (titles and texts from the funding bodies' own pages) for the console.

Their deadlines are set relative to today each time they are loaded, so that ``foui-bot console``
always has something upcoming to show. They are stored with keys starting ``example:``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.services import Services
from storage import deadlines as example_store
from storage.models import CallStatus

KEY_PREFIX = "example:"


@dataclass(frozen=True)
class Example:
    slug: str
    title: str
    summary: str
    url: str
    source: str
    topics: tuple[str, ...]
    days: int | None  # days from today; None: rolling
    at: time | None = None  # the time of day, None: the whole day
    status: str = CallStatus.OPEN


FORSKNINGSRADET = "Forskningsrådet"
RFF = "Regionale forskningsfond Trøndelag"
STATSFORVALTEREN = "Statsforvalteren i Trøndelag"
FYLKET = "Trøndelag fylkeskommune"

EXAMPLES: tuple[Example, ...] = (
    Example(
        "forprosjekt-offentlig-sektor",
        "Forprosjekt for innovasjonsprosjekt i offentlig sektor",
        "Midlene skal gi kommuner og fylkeskommuner innenfor alle sektorer og tjenesteområder støtte "
        "til å forberede og utvikle innovasjonsprosjekter.",
        "https://www.forskningsradet.no/utlysninger/2022/forprosjekt-innovasjonsprosjekt-i-offentlig-sektor/",
        FORSKNINGSRADET,
        ("forskning", "ledelse"),
        3,
    ),
    Example(
        "prosjektskjonn",
        "Prosjektskjønn – fornying og innovasjon",
        "Statsforvalteren fordeler en del av skjønnsrammen til fornyings- og innovasjonsprosjekter i "
        "kommunene. Formålet er å gi kommunene støtte til å prøve ut nye løsninger i sin virksomhet.",
        "https://www.statsforvalteren.no/nb/Trondelag/Tilskudd/",
        STATSFORVALTEREN,
        ("ledelse", "digitalisering"),
        6,
        time(23, 59),
    ),
    Example(
        "innovasjonsprosjekt-offentlig-sektor",
        "Innovasjonsprosjekt i offentlig sektor",
        "Et innovasjonsprosjekt i offentlig sektor skal bidra til at offentlig sektor innoverer "
        "tjenester, infrastruktur og forvaltning på en bærekraftig, systematisk og effektiv måte.",
        "https://www.forskningsradet.no/utlysninger/2020/innovasjonsprosjekt-offentlig-sektor/",
        FORSKNINGSRADET,
        ("forskning", "digitalisering"),
        9,
        time(13, 0),
    ),
    Example(
        "helse-omsorg-baerekraft",
        "Forskning og innovasjon for å styrke bærekraften i kommunale helse- og omsorgstjenester",
        "Formålet med utlysningen er å stimulere til forskning og innovasjon som er forankret i behov "
        "for å styrke bærekraften i de kommunale helse- og omsorgstjenestene.",
        "https://www.forskningsradet.no/utlysninger/2024/forskning-og-innovasjon-for-mer-sammenhengende-og-effektive-kommunale-helse--og-omsorgstjenester/",
        FORSKNINGSRADET,
        ("helse", "forskning"),
        16,
        time(13, 0),
    ),
    Example(
        "regionalt-innovasjonsprosjekt-kommunal",
        "Regionalt innovasjonsprosjekt i kommunal sektor (RFF Trøndelag)",
        "Et innovasjonsprosjekt i kommunal sektor skal bidra til at kommunen(e) innoverer tjenester, "
        "infrastruktur og forvaltning på en bærekraftig, systematisk og effektiv måte.",
        "https://www.regionaleforskningsfond.no/trondelag/rfftrondelag/2021/regionalt-innovasjonsprosjekt-i-kommunal-sektor-2021/",
        RFF,
        ("forskning", "samfunnsplanlegging"),
        22,
    ),
    Example(
        "pilot-helse",
        "Pilot Helse",
        "Gjennom Pilot Helse finansierer vi innovasjonsløp som kan bidra til bærekraft i helse- og "
        "omsorgstjenesten og til verdiskaping i norsk næringsliv.",
        "https://forskningsradet.no/utlysninger/2023/pilot-helse/",
        FORSKNINGSRADET,
        ("helse", "naering"),
        31,
        time(13, 0),
    ),
    Example(
        "forprosjekt-forkommersiell",
        "Forprosjekt til førkommersiell anskaffelse i offentlig sektor",
        "Midlene skal gi offentlige virksomheter støtte til å forberede en førkommersiell anskaffelse.",
        "https://www.forskningsradet.no/utlysninger/2022/forprosjekt-forkommersiell-anskaffelse/",
        FORSKNINGSRADET,
        ("anskaffelser",),
        45,
        time(13, 0),
    ),
    Example(
        "distriktforsk-forprosjekt",
        "DistriktForsk Forprosjekt (RFF Trøndelag)",
        "DistriktForsk sin utlysning av forprosjekter skal bidra til å mobilisere bedrifter og kommuner "
        "i Trøndelag til forskningsbasert innovasjon.",
        "https://www.regionaleforskningsfond.no/trondelag/rfftrondelag/2022/forregion-forprosjekt/",
        RFF,
        ("naering", "forskning"),
        None,
        status=CallStatus.ROLLING,
    ),
    Example(
        "regionale-utviklingsmidler",
        "Regionale utviklingsmidler (Trøndelag fylkeskommune)",
        "Formålet med ordningen er å støtte tiltak som bidrar til samhandling, kunnskapsutvikling, "
        "innovasjonsevne, attraktive arbeidsplasser og et omstillingsdyktig næringsliv i Trøndelag.",
        "https://www.trondelagfylke.no/vare-tjenester/naring-og-innovasjon/virkemidler-og-tilskudd/",
        FYLKET,
        ("naering",),
        None,
        status=CallStatus.ROLLING,
    ),
    Example(
        "kommuner-og-naeringsliv-2020",
        "Regionalt innovasjonsprosjekt – kommuner og næringsliv 2020 (RFF Trøndelag)",
        "Regionale innovasjonsprosjekter skal stimulere kommunal sektor og næringsliv i Trøndelag til å "
        "utvikle bærekraftige løsninger gjennom forskningsbasert innovasjon.",
        "https://www.regionaleforskningsfond.no/trondelag/rfftrondelag/2020/regionalt-innovasjonsprosjekt-kommuner-og-naringsliv-2020-/",
        RFF,
        ("naering", "forskning"),
        -400,
        status=CallStatus.CLOSED,
    ),
)


def deadline_for(example: Example, now: datetime, tz: ZoneInfo) -> datetime | None:
    """Today + ``days`` in Norwegian time, at the example's time (midnight: the whole day)."""
    if example.days is None:
        return None
    day = now.astimezone(tz).date() + timedelta(days=example.days)
    return datetime.combine(day, example.at or time(0), tz)


async def load_examples(services: Services) -> int:
    """Insert the examples, or move their deadlines to stay ahead; returns how many there are."""
    now, tz = services.now(), services.settings.tz
    async with services.session() as session:
        for example in EXAMPLES:
            await example_store.upsert_example_call(
                session,
                key=KEY_PREFIX + example.slug,
                title=example.title,
                summary=example.summary,
                url=example.url,
                source_name=example.source,
                topic_slugs=example.topics,
                deadline_at=deadline_for(example, now, tz),
                deadline_has_time=example.at is not None,
                rolling=example.days is None,
                status=example.status,
                now=now,
            )
    return len(EXAMPLES)
