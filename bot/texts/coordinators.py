"""Texts for the coordinators: the guard, /nyfrist, /endrefrist, /slettfrist, events, announcements,
tips, sources, status and statistics. HTML; callers escape every dynamic value."""

from bot.texts.i18n import ngettext

# ---- the guard and shared conversation texts -------------------------------------------------
COORD_REFUSED = "Beklager, dette er bare for koordinatorene i FoUI-nettverket. 🙂"
COORD_REFUSED_ALERT = "Beklager, dette er bare for koordinatorene."
COORD_PRIVATE_ONLY = (
    "Dette gjør vi i en privat samtale med meg, så gruppa slipper å se alle trinnene. "
    "Trykk under og skriv /{command} der."
)
BTN_OPEN_PRIVATE = "Skriv til FoUI-boten"
CONV_CANCELLED = "Avbrutt. Ingenting er lagret eller sendt."
CONV_NOTHING_TO_CANCEL = "Det er ingenting å avbryte."
CONV_USE_BUTTONS = "Trykk på en av knappene over, eller skriv /avbryt for å avbryte."
CONV_SEND_TEXT = "Send svaret som tekst, eller skriv /avbryt for å avbryte."
CONV_STALE_BUTTON = "Denne knappen er utløpt. Start på nytt med kommandoen."
CONV_TOO_LONG = "Det ble for langt ({length} tegn). Hold det under {limit} tegn, eller skriv /avbryt."
CANCEL_HINT = "\n\n<i>Skriv /avbryt for å avbryte.</i>"

BTN_SAVE = "✅ Lagre"
BTN_CANCEL = "Avbryt"
BTN_DONE = "Ferdig ➡️"
BTN_SKIP = "Hopp over"
BTN_NO_LINK = "Uten lenke"
BTN_YES = "Ja"
BTN_NO = "Nei"
BTN_BACK = "⬅️ Tilbake"

DATE_NOT_UNDERSTOOD = (
    "Den datoen forstod jeg ikke: «{text}».\n"
    "Skriv for eksempel «5. mars kl. 13», «05.03.2027 13:00» eller «i morgen kl. 10»."
)
DATE_NEEDS_TIME = (
    "Jeg trenger klokkeslett også: «{text}».\nSkriv for eksempel «5. mars kl. 13» eller «05.03.2027 13:00»."
)
DATE_IN_PAST = "{when} har allerede vært. Skriv et tidspunkt fram i tid, for eksempel «5. mars kl. 13»."
LINK_INVALID = (
    "Det ser ikke ut som en lenke: «{text}».\n"
    "Send en adresse som begynner med https://, for eksempel https://www.ks.no/fou, eller trykk «Uten lenke»."
)
TOPICS_PICK_ONE = "Velg minst ett emne."


def recipients(count: int) -> str:
    """'1 mottaker', '3 mottakere'."""
    return ngettext("{count} mottaker", "{count} mottakere", count).format(count=count)


def copies(count: int) -> str:
    """'1 kopi', '3 kopier'."""
    return ngettext("{count} kopi", "{count} kopier", count).format(count=count)


NO_TOPICS = "ingen"

# ---- manual deadlines -------------------------------------------------------------------------
NF_ASK_TITLE = (
    "🗓 <b>Ny frist</b> – trinn 1 av 5\n"
    "Hva heter ordningen eller utlysningen? For eksempel «KS FoU-ordning 2027»." + CANCEL_HINT
)
NF_ASK_DEADLINE = (
    "Trinn 2 av 5: Når er fristen?\n"
    "Skriv dato og gjerne klokkeslett, for eksempel «5. mars kl. 13» eller «05.03.2027 13:00»."
)
NF_ASK_LINK = "Trinn 3 av 5: Lenke til utlysningen? Send adressen (https://…), eller trykk «Uten lenke»."
NF_ASK_TOPICS = (
    "Trinn 4 av 5: Hvilke emner gjelder fristen? Trykk for å velge, og «Ferdig» når du er klar.\n"
    "De som abonnerer på emnene, får påminnelser før fristen."
)
NF_ASK_SOURCE = (
    "Trinn 5 av 5: Hvem står bak? Skriv navnet, for eksempel «KS» eller «Statsforvalteren i Trøndelag»"
    ", eller trykk et av forslagene."
)
NF_PREVIEW = "<b>Sjekk før du lagrer:</b>\n\n{card}"
NF_SAVED = (
    "✅ Fristen er lagret. Den vises i /frister, og de som abonnerer på emnene får påminnelser "
    "som for andre utlysninger."
)
CALL_CARD = "<b>{title}</b>\n⏰ Frist: {deadline} ({days_left})\n🏛 Kilde: {source}\n🏷 Emner: {topics}{link}"
CALL_CARD_LINK = '\n🔗 <a href="{url}">{url_text}</a>'
EF_NONE = "Det finnes ingen egne frister ennå. Legg inn en med /nyfrist."
EF_PICK = "✏️ Hvilken frist vil du endre?" + CANCEL_HINT
EF_WHAT = "{card}\n\nHva vil du endre?"
EF_ASK_TITLE = "Skriv den nye tittelen."
EF_ASK_DEADLINE = "Skriv den nye fristen, for eksempel «5. mars kl. 13» eller «05.03.2027 13:00»."
EF_ASK_LINK = "Send den nye lenken (https://…), eller trykk «Uten lenke»."
EF_ASK_TOPICS = "Velg emnene, og trykk «Ferdig»."
EF_ASK_SOURCE = "Skriv navnet på den som står bak."
EF_SAVED = "✅ Endret.\n\n{card}"
EF_GONE = "Den fristen finnes ikke lenger."
BTN_FIELD_TITLE = "Tittel"
BTN_FIELD_DEADLINE = "Frist"
BTN_FIELD_LINK = "Lenke"
BTN_FIELD_TOPICS = "Emner"
BTN_FIELD_SOURCE = "Kilde"
SF_PICK = "🗑 Hvilken frist vil du slette?" + CANCEL_HINT
SF_CONFIRM = (
    "Slette denne fristen?\n\n{card}\n\nDen forsvinner fra /frister, og ingen flere påminnelser sendes."
)
SF_DONE = "🗑 Fristen «{title}» er slettet."
BTN_DELETE = "🗑 Slett"

# ---- events -----------------------------------------------------------------------------------
NE_ASK_TITLE = (
    "📅 <b>Nytt arrangement</b> – trinn 1 av 6\nHva heter det? For eksempel «Webinar: innovative anskaffelser»."
    + CANCEL_HINT
)
NE_ASK_START = "Trinn 2 av 6: Når starter det? For eksempel «5. mars kl. 13» eller «05.03.2027 13:00»."
NE_ASK_END = (
    "Trinn 3 av 6: Når slutter det? Skriv klokkeslett («15:30») eller dato og klokkeslett, "
    "eller trykk «Hopp over»."
)
NE_END_BEFORE_START = "Slutten må komme etter starten ({start}). Skriv for eksempel «15:30»."
NE_ASK_PLACE = (
    "Trinn 4 av 6: Hvor? Skriv stedet («Scandic Lerkendal, Trondheim»), eller send lenken til "
    "et videomøte (https://…)."
)
NE_ASK_DESCRIPTION = (
    "Trinn 5 av 6: Skriv en kort beskrivelse (program, påmelding, målgruppe), eller trykk «Hopp over»."
)
NE_ASK_TOPICS = "Trinn 6 av 6: Hvilke emner passer? De som abonnerer på dem, får invitasjonen og påminnelser."
NE_PREVIEW = "<b>Slik blir invitasjonen:</b>"
NE_CONFIRM = "Skal jeg lagre arrangementet og sende invitasjonen til {audience}?"
NE_SAVED_SENT = "✅ Arrangementet er lagret, og invitasjonen er lagt i kø til {recipients}."
NE_SAVED_ONLY = "✅ Arrangementet er lagret. Det vises i /arrangementer."
BTN_SAVE_AND_SEND = "✅ Lagre og send ut"
BTN_SAVE_ONLY = "Bare lagre"
AUDIENCE_GROUP_AND_TOPICS = "gruppa og abonnentene på emnene ({count} i alt)"

EVENT_CARD = "📅 <b>{title}</b>\n🕐 {when}\n📍 {place}{description}\n🏷 {topics}"
EVENT_CARD_CANCELLED = "🚫 <b>AVLYST</b>\n"
EVENT_VIDEO = '<a href="{url}">Digitalt – lenke til møtet</a>'
EVENT_TIME_SAME_DAY = "{start}–{end}"
EVENT_TIME_SPAN = "{start} – {end}"
EVENTS_HEADER = (
    "📅 <b>Kommende arrangementer</b>\nTrykk på et arrangement for å melde deg på eller få det i kalenderen."
)
EVENTS_LINE = "• <b>{title}</b> – {when}"
EVENTS_NONE = "Ingen kommende arrangementer akkurat nå. Koordinatorene legger dem ut her når de kommer."
BTN_RSVP_YES = "✅ Jeg kommer ({count})"
BTN_RSVP_NO = "❌ Kan ikke ({count})"
BTN_EVENT_ICS = "📅 Legg i kalender"
BTN_EVENT_ATTENDEES = "👥 Påmeldte"
BTN_EVENT_CANCEL = "🚫 Avlys"
BTN_EVENT_CANCEL_CONFIRM = "🚫 Ja, avlys"
RSVP_YES_THANKS = "Flott, du er påmeldt! Du får en påminnelse før det starter."
RSVP_NO_THANKS = "Notert – du kommer ikke."
RSVP_CANCELLED = "Dette arrangementet er avlyst."
RSVP_OVER = "Dette arrangementet er over."
EVENT_GONE = "Fant ikke arrangementet."
EVENT_ICS_CAPTION = "Åpne fila for å legge «{title}» i kalenderen din."
EVENT_ICS_START_FIRST = "Skriv /start til meg i en privat samtale først, så sender jeg kalenderfila dit."
EVENT_ICS_SENT_PRIVATE = "Kalenderfila er sendt til deg i en privat samtale."
ATTENDEES_HEADER = "👥 <b>{title}</b>\n{yes} kommer, {no} kan ikke."
ATTENDEES_COMING = "\n<b>Kommer:</b>"
ATTENDEES_NOT_COMING = "\n<b>Kan ikke:</b>"
ATTENDEES_LINE = "• {name}{extra}"
ATTENDEES_NONE = "Ingen har svart ennå."
ATTENDEES_CSV_CAPTION = "Deltakerlisten som CSV (åpnes i Excel)."
EVENT_CANCEL_CONFIRM = "Avlyse «{title}»? {count}"
EVENT_CANCELLED_DONE = "🚫 «{title}» er avlyst. {count}"
EVENT_CANCELLED_NOTICE = "🚫 <b>Avlyst:</b> {title} ({when}) er dessverre avlyst."

# ---- announcements and tips -------------------------------------------------------------------
KU_ASK_TEXT = (
    "📣 <b>Ny kunngjøring</b> – trinn 1 av 3\n"
    "Skriv teksten slik den skal se ut. Fet, kursiv og lenker blir med." + CANCEL_HINT
)
KU_ASK_AUDIENCE = "Trinn 2 av 3: Hvem skal få den?"
KU_ASK_TOPICS = "Velg emnene: kunngjøringen går til alle som abonnerer på minst ett av dem."
KU_ASK_PIN = "Skal den festes øverst i gruppa?"
KU_PREVIEW = "Trinn 3 av 3: <b>Slik kommer den fram:</b>"
KU_CONFIRM = "Sende til {audience} – {recipients}?"
KU_NO_RECIPIENTS = (
    "Ingen mottakere passer til dette valget ennå. Velg en annen målgruppe, eller skriv /avbryt."
)
KU_QUEUED = (
    "📤 Kunngjøringen er lagt i kø til {recipients} og sendes nå.\n"
    "I 24 timer kan du rette den (alle kopier redigeres) eller trekke den tilbake (alle kopier slettes)."
)
KU_TEXT_ONLY = "Send kunngjøringen som tekst (bilder og filer støttes ikke ennå), eller skriv /avbryt."
ANNOUNCEMENT_FORMAT = "📣 <b>Fra FoUI-koordinatorene</b>\n\n{text}"
ANNOUNCEMENT_CORRECTED = "{text}\n\n<i>(rettet)</i>"
AUDIENCE_GROUP = "gruppa"
AUDIENCE_MEMBERS = "alle medlemmer"
AUDIENCE_BOTH = "gruppa og alle medlemmer"
AUDIENCE_TOPICS = "abonnentene på {topics}"
AUDIENCE_GROUP_TOPICS = "gruppa og abonnentene på {topics}"
BTN_AUD_GROUP = "👥 Gruppa"
BTN_AUD_MEMBERS = "📣 Alle medlemmer"
BTN_AUD_BOTH = "👥 Gruppa + alle medlemmer"
BTN_AUD_TOPICS = "🏷 Abonnenter på emner"
BTN_PIN_YES = "📌 Ja, fest den"
BTN_PIN_NO = "Nei"
BTN_SEND = "📤 Send"
BTN_CORRECT = "✏️ Rett"
BTN_WITHDRAW = "🗑 Trekk tilbake"
BTN_CORRECT_CONFIRM = "✏️ Rett alle kopier"
BTN_WITHDRAW_CONFIRM = "🗑 Ja, trekk tilbake"
KR_LIST = "📣 <b>Sendt siste døgn</b> – trykk for å rette eller trekke tilbake:"
KR_NONE = "Ingen kunngjøringer eller tips er sendt det siste døgnet."
KR_LIST_LINE = "{when}: {excerpt}"
KR_TOO_LATE = "Den kan ikke endres lenger: det er over 24 timer siden, eller den er trukket tilbake."
KR_ASK_TEXT = "✏️ Skriv den rettede teksten. Alle kopier som er sendt, blir redigert." + CANCEL_HINT
KR_PREVIEW = "<b>Slik blir den etter rettingen:</b>"
KR_CONFIRM = "Rette {copies}?"
KR_CORRECTED = "✏️ Rettet: {edited} er redigert, {pending} som ikke var sendt ennå går ut med ny tekst."
KR_WITHDRAW_CONFIRM = "Trekke tilbake denne? {count} slettes hos mottakerne.\n\n{excerpt}"
KR_WITHDRAWN = "🗑 Trukket tilbake: {deleted} er slettet, {cancelled} som ikke var sendt ennå er stoppet."
KR_FAILED_PART = "\n{failed} kunne ikke endres (for gamle eller slettet av mottakeren)."
KR_BACKGROUND = "\nDet er mange kopier: de endres nå i bakgrunnen."

TI_ASK_TEXT = (
    "💡 <b>Nytt tips</b> – trinn 1 av 3\nSkriv tipset kort (maks {limit} tegn). Fet, kursiv og lenker blir med."
    + CANCEL_HINT
)
TI_ASK_LINK = "Trinn 2 av 3: Lenke? Send adressen (https://…), eller trykk «Uten lenke»."
TI_ASK_TOPICS = "Trinn 3 av 3: Hvilke emner gjelder tipset? Det går til gruppa og abonnentene på emnene."
TI_PREVIEW = "<b>Slik kommer tipset fram:</b>"
TI_QUEUED = (
    "📤 Tipset er lagt i kø til {recipients} og sendes nå.\n"
    "I 24 timer kan du rette det (alle kopier redigeres) eller trekke det tilbake (alle kopier slettes)."
)
TIP_FORMAT = "💡 <b>Tips</b>\n{text}{link}\n🏷 {topics}"
TIP_LINK = '\n🔗 <a href="{url}">{url_text}</a>'

# ---- status and statistics --------------------------------------------------------------------
STATUS = (
    "🩺 <b>Status for FoUI-boten</b>\n"
    "Versjon: {version}\n"
    "Oppe i: {uptime}\n"
    "Database: {database} (skjema {revision})\n"
    "Utboks: {waiting} venter\n"
    "Siste døgn: {sent} sendt, {failed} feilet\n"
    "Kilder: {sources} i alt, {failing} med feil"
)
STATUS_FAILING_LINE = "• {name}: feiler siden {since} – {error}"
STATUS_ALL_SOURCES_OK = "✅ Alle kilder henter som de skal."
STATUS_DB_UNKNOWN = "ukjent"
UPTIME = "{days} d {hours} t {minutes} min"
UPTIME_SHORT = "{hours} t {minutes} min"
STATISTICS = (
    "📊 <b>Statistikk</b>\n"
    "Medlemmer: {members} ({active} aktive siste {days} dager)\n"
    "Grupper: {groups}\n\n"
    "<b>Abonnement per emne</b>\n{topics}\n\n"
    "<b>Meldinger levert per uke</b>\n{weeks}"
)
STATISTICS_TOPIC_LINE = "• {name}: {count}"
STATISTICS_WEEK_LINE = "• uke {week} ({monday}): {count}"

# ---- source health ----------------------------------------------------------------------------
SOURCE_FAILING_NOTICE = (
    "⚠️ <b>Kilden «{name}» har feilet i over et døgn</b>\n"
    "Siste vellykkede henting: {since}\nSiste feil: {error}\n"
    "Se /kilder for detaljer. Du får beskjed når den virker igjen."
)
SOURCE_RECOVERED_NOTICE = "✅ <b>Kilden «{name}» virker igjen</b> (hentet {when})."
SOURCE_NEVER = "aldri"
