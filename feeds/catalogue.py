"""The default topic catalogue for municipal innovation work (seeded into the database once).

Coordinators can change names and keywords later; these are only the starting point.
Keywords are word stems: matching (feeds.topics) accepts Norwegian inflections of them.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class TopicDef:
    slug: str
    name: str
    keywords: tuple[str, ...]


DEFAULT_TOPICS: tuple[TopicDef, ...] = (
    TopicDef(
        "helse",
        "Helse, omsorg og velferdsteknologi",
        (
            "helse",
            "omsorg",
            "velferdsteknologi",
            "eldre",
            "pleie",
            "sykehjem",
            "hjemmetjeneste",
            "rehabilitering",
            "e-helse",
            "helseteknologi",
            "psykisk helse",
            "rus",
            "legevakt",
            "demens",
        ),
    ),
    TopicDef(
        "oppvekst",
        "Oppvekst og utdanning",
        (
            "oppvekst",
            "barnehage",
            "skole",
            "utdanning",
            "barn",
            "unge",
            "ungdom",
            "barnevern",
            "læring",
            "elev",
            "lærer",
            "opplæring",
        ),
    ),
    TopicDef(
        "klima",
        "Klima, miljø og beredskap",
        (
            "klima",
            "miljø",
            "beredskap",
            "utslipp",
            "energi",
            "sirkulær",
            "bærekraft",
            "naturmangfold",
            "klimatilpasning",
            "flom",
            "samfunnssikkerhet",
            "fornybar",
        ),
    ),
    TopicDef(
        "anskaffelser",
        "Innovative anskaffelser og innovasjonspartnerskap",
        (
            "anskaffelse",
            "innkjøp",
            "innovasjonspartnerskap",
            "førkommersiell",
            "leverandørdialog",
            "offentlig-privat",
            "doffin",
        ),
    ),
    TopicDef(
        "digitalisering",
        "Digitalisering og tjenesteinnovasjon",
        (
            "digitalisering",
            "digital",
            "tjenesteinnovasjon",
            "tjenestedesign",
            "kunstig intelligens",
            "ki",
            "data",
            "teknologi",
            "automatisering",
            "innbyggertjeneste",
        ),
    ),
    TopicDef(
        "naering",
        "Næringsutvikling og distrikt",
        (
            "næringsutvikling",
            "næringsliv",
            "næring",
            "distrikt",
            "bedrift",
            "verdiskaping",
            "landbruk",
            "reiseliv",
            "regional utvikling",
            "omstilling",
            "distriktforsk",
        ),
    ),
    TopicDef(
        "samfunnsplanlegging",
        "Samfunnsplanlegging, stedsutvikling og levende laboratorier",
        (
            "samfunnsplanlegging",
            "stedsutvikling",
            "levende laboratori",
            "arealplan",
            "planlegging",
            "sentrumsutvikling",
            "mobilitet",
            "transport",
            "bolig",
            "smart by",
            "smarte samfunn",
        ),
    ),
    TopicDef(
        "inkludering",
        "Inkludering, frivillighet og folkehelse",
        (
            "inkludering",
            "frivillighet",
            "frivillig",
            "folkehelse",
            "integrering",
            "utenforskap",
            "ensomhet",
            "sosial isolasjon",
            "levekår",
            "mangfold",
            "likestilling",
        ),
    ),
    TopicDef(
        "ledelse",
        "Ledelse, organisasjon og medarbeiderdrevet innovasjon",
        (
            "ledelse",
            "leder",
            "organisasjon",
            "medarbeiderdrevet",
            "arbeidsmiljø",
            "rekruttering",
            "kompetanseutvikling",
            "fornying",
            "fornyings",
            "omstilling i kommune",
            "kommunesamarbeid",
        ),
    ),
    TopicDef(
        "forskning",
        "Forskningssamarbeid og kompetanse",
        (
            "forskning",
            "forsknings",
            "fou",
            "forskningssamarbeid",
            "kompetanse",
            "kvalifiseringsstøtte",
            "forprosjekt",
            "mobilisering",
            "doktorgrad",
            "offentlig sektor-ph.d",
            "kunnskapsgrunnlag",
            "regionale forskningsfond",
        ),
    ),
)
