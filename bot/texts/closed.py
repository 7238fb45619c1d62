"""The closed network's way in (personal invite links), buttons checked on the server, bounds, and
counts that read as Norwegian. HTML; callers escape every dynamic value."""

from __future__ import annotations

from bot.texts.i18n import gettext, ngettext


def count_of(count: int, one: str, many: str) -> str:
    """'1 dag', '2 dager', '0 dager': the number and the word in the right number."""
    return f"{count} {one if count == 1 else many}"


def days(count: int) -> str:
    return ngettext("{count} dag", "{count} dager", count).format(count=count)


def topics_count(count: int) -> str:
    return ngettext("{count} emne", "{count} emner", count).format(count=count)


def registrations_count(count: int) -> str:
    return ngettext("{count} registrering", "{count} registreringer", count).format(count=count)


def words_count(count: int) -> str:
    return ngettext("{count} ord", "{count} ord", count).format(count=count)


def signs_count(count: int) -> str:
    return ngettext("{count} tegn", "{count} tegn", count).format(count=count)


# ---- the way in: a personal invite link to the group --------------------------------------------
INVITE_BUTTON = "👥 Bli med i FoUI-gruppen"
INVITE_ASK_BUTTON = "👥 Få en lenke til FoUI-gruppen"
REG_MEMBER_APPROVED_INVITE = (
    "Trykk på knappen for å bli med i FoUI-gruppen. Lenken er personlig (den virker bare for deg) "
    "og gjelder i {days}; jeg slipper deg inn så snart du ber om det."
)
REG_MEMBER_APPROVED_NO_INVITE = (
    "Jeg fikk ikke laget en lenke til FoUI-gruppen nå. Skriv /kontakter senere og trykk "
    "«Få en lenke til FoUI-gruppen», eller be en koordinator om hjelp."
)
INVITE_SENT = (
    "Her er din personlige lenke til FoUI-gruppen. Den virker bare for deg og gjelder i {days}; "
    "jeg slipper deg inn så snart du ber om det."
)
INVITE_NOT_APPROVED = (
    "Lenken til FoUI-gruppen får du når en koordinator har godkjent deg som FoUI-kontakt. "
    "Registrer deg med /registrer."
)
INVITE_ALREADY_IN = "Du er allerede med i FoUI-gruppen. 🙂"
INVITE_UNAVAILABLE = (
    "Jeg får ikke laget en lenke til gruppen akkurat nå. Prøv igjen senere, eller be en koordinator om hjelp."
)
CONTACTS_REFUSED_LEFT = (
    "Kontaktlisten er for dem som er med i FoUI-gruppen, og du har gått ut av den. "
    "Trykk på knappen for å få en lenke og bli med igjen, så åpner listen seg."
)
JOIN_STATUS_OTHERS_LINK = "Lenken personen brukte, var laget for en annen FoUI-kontakt."

# ---- buttons checked on the server --------------------------------------------------------------
BUTTON_EXPIRED = "Denne knappen er utløpt eller ikke din. Prøv kommandoen på nytt."
BUTTON_NOT_YOURS = "Denne knappen hører til noen andre. Skriv kommandoen selv for å få din egen."

# ---- bounds -------------------------------------------------------------------------------------
SEARCH_TRIMMED = "<i>Et søk tar med høyst {words} og {signs}, så resten av det du skrev ble ikke med.</i>"
LIST_PAGE = "Side {page} av {pages}."
BATCH_HEADER = "<b>Nye forespørsler til FoUI-nettverket</b> ({count})"
BATCH_REGISTRATION = "<b>{name}</b>{username} vil registrere seg for <b>{municipality}</b> ({role})."
BATCH_JOIN = "<b>{name}</b>{username} ber om å bli med i gruppen. {status}"
BATCH_BUTTON = "{action} {name}"
BATCH_SETTLED = "{outcome} ({name})"

# ---- a private chat never goes silent ---------------------------------------------------------
PLAIN_TEXT_HELP = (
    "Jeg svarer på kommandoer. Prøv for eksempel /frister for de neste søknadsfristene, "
    "/sok og et ord for å søke, /emner for å velge emner, eller /hjelp for alt jeg kan."
)
PLAIN_TEXT_SEARCH = "Jeg søkte etter «{query}» for deg (skriv /hjelp for alt jeg kan):"


# ---- counts that read as Norwegian ---------------------------------------------------------------
def deadlines_count(count: int) -> str:
    return ngettext("{count} frist", "{count} frister", count).format(count=count)


def warnings_count(count: int) -> str:
    return ngettext("{count} advarsel", "{count} advarsler", count).format(count=count)


def sources_count(count: int) -> str:
    return ngettext("{count} kilde", "{count} kilder", count).format(count=count)


def cancel_will_tell(count: int) -> str:
    """Who is told when an event is cancelled, before it is: never «De 0 som …»."""
    if count == 0:
        return gettext("Ingen har meldt seg på ennå.")
    if count == 1:
        return gettext("Den ene som har meldt seg på, får beskjed.")
    return gettext("De {count} som har meldt seg på, får beskjed.").format(count=count)


def cancel_told(count: int) -> str:
    """Who was told when an event was cancelled."""
    if count == 0:
        return gettext("Ingen hadde meldt seg på.")
    return ngettext("{count} påmeldt får beskjed.", "{count} påmeldte får beskjed.", count).format(
        count=count
    )


# ---- previews -----------------------------------------------------------------------------------
BTN_EDIT_TEXT = "✏️ Endre tekst"
ASK_NEW_TEXT = "Skriv teksten på nytt, så viser jeg den igjen før noe sendes."
ASK_NEW_DESCRIPTION = "Skriv beskrivelsen på nytt, så viser jeg invitasjonen igjen før noe sendes."
ASK_NEW_TITLE = "Skriv tittelen på nytt, så viser jeg fristen igjen før noe lagres."

# ---- /nyfrist: no duplicates by hand ------------------------------------------------------------
NF_DUPLICATE_TITLE = (
    "⚠️ Det finnes allerede en utlysning med samme tittel:\n\n{card}\n\nVil du åpne den i stedet?"
)
NF_DUPLICATE_LINK = (
    "⚠️ Det finnes allerede en utlysning med samme lenke og frist:\n\n{card}\n\nVil du åpne den i stedet?"
)
BTN_OPEN_EXISTING = "📂 Åpne den"
BTN_ADD_ANYWAY = "Legg inn likevel"
NF_OPENED = "{card}\n\nDen er allerede med i /frister og påminnelsene. Vil du endre den, skriv /endrefrist."

# ---- editing an event ---------------------------------------------------------------------------
BTN_EVENT_EDIT = "✏️ Endre"
BTN_EE_TIME = "Tid"
BTN_EE_PLACE = "Sted"
BTN_EE_LINK = "Lenke til møtet"
BTN_EE_DESCRIPTION = "Beskrivelse"
EE_WHAT = "{card}\n\nHva vil du endre?"
EE_ASK_TITLE = "Skriv den nye tittelen."
EE_ASK_START = "Når starter det nå? For eksempel «5. mars kl. 13». Slutten flyttes like mye."
EE_ASK_PLACE = "Hvor er det nå? Skriv stedet, eller send lenken til et videomøte (https://…)."
EE_ASK_LINK = "Send den nye lenken til møtet (https://…)."
EE_ASK_DESCRIPTION = "Skriv den nye beskrivelsen (fet, kursiv og lenker blir med)."
EE_SAVED = "✅ Endret. {told}\n\n{card}"
EVENT_CHANGED_NOTICE = "📅 <b>Endret:</b> {title}\n🕐 {when}\n📍 {place}"


def told_count(count: int) -> str:
    """Who was told of a changed time or place."""
    if count == 0:
        return gettext("Ingen påmeldte måtte få beskjed.")
    return ngettext(
        "{count} påmeldt får beskjed om endringen.", "{count} påmeldte får beskjed om endringen.", count
    ).format(count=count)


EVENT_LINK_FOR_MEMBERS = "Digitalt – lenken får medlemmene av nettverket"
