"""The closed network: registration as FoUI contact, contacts, coverage, join requests, own data.

HTML texts: fill every ``{placeholder}`` with an ``html.escape``d value.
"""

from bot.texts.coordinators import COORD_REFUSED, COORD_REFUSED_ALERT

# ---- menu ------------------------------------------------------------------------------------
CMD_REGISTRER = "Registrer deg som FoUI-kontakt for kommunen din"
CMD_KONTAKTER = "FoUI-kontaktene i kommunene"
CMD_DEKNING = "Hvilke kommuner har en FoUI-kontakt"
CMD_MINEDATA = "Få alt jeg har lagret om deg, som fil"
CMD_SLETTMEG = "Slett alt jeg har lagret om deg"

# ---- shared ----------------------------------------------------------------------------------
NW_PRIVATE_ONLY = (
    "Dette gjør vi i en privat melding: trykk på knappen, eller skriv {command} til meg direkte."
)
NW_OPEN_PRIVATE_BUTTON = "Skriv til meg privat"
# One refusal for every coordinator command and button (handlers.coordinator.refuse).
NW_NOT_COORDINATOR = COORD_REFUSED
NW_NOT_COORDINATOR_BUTTON = COORD_REFUSED_ALERT
NW_CANCEL_BUTTON = "Avbryt"

# ---- /registrer ------------------------------------------------------------------------------
REG_ASK_MUNICIPALITY = (
    "Hvilken kommune er du FoUI-kontakt for?\n"
    "Trykk på kommunen, eller skriv en del av navnet (for eksempel «gauldal»)."
)
REG_PAGE = "Side {page} av {pages}."
REG_CURRENT = (
    "Nå er du registrert for <b>{municipality}</b> ({status}). Velger du på nytt, erstatter det dette."
)
REG_STATUS_PENDING = "venter på godkjenning"
REG_STATUS_APPROVED = "godkjent"
REG_STATUS_REJECTED = "ikke godkjent"
REG_PREV_BUTTON = "◀ Forrige"
REG_NEXT_BUTTON = "Neste ▶"
REG_NO_MATCH = "Fant ingen kommune som passer «{query}». Prøv en annen del av navnet, eller velg i listen."
REG_SEVERAL = "Flere kommuner passer «{query}». Hvilken mener du?"
REG_UNKNOWN_MUNICIPALITY = "Den kommunen står ikke (lenger) i listen. Velg på nytt."
REG_ASK_ROLE = (
    "<b>{municipality}</b> – fint.\n"
    "Hvilken rolle har du? Skriv den kort, for eksempel «rådgiver for forskning og innovasjon» "
    "eller «kommunalsjef helse og velferd»."
)
REG_ROLE_EMPTY = "Skriv rollen din med noen ord, eller trykk Avbryt."
REG_ROLE_TOO_LONG = "Det ble litt langt: skriv rollen med høyst {limit} tegn."
REG_SENT = (
    "Takk! Du har meldt deg som FoUI-kontakt for <b>{municipality}</b> ({role}).\n"
    "En koordinator ser på det, og du får beskjed her når det er avgjort."
)
REG_ROLE_UPDATED = "Rollen din som FoUI-kontakt for <b>{municipality}</b> er oppdatert: {role}."
REG_UNCHANGED = "Du er allerede registrert slik: <b>{municipality}</b> ({role}), {status}."
REG_CANCELLED = "Registreringen er avbrutt. Skriv /registrer når du vil begynne på nytt."
REG_TIMED_OUT = "Registreringen ble ikke fullført. Skriv /registrer for å begynne på nytt."

REG_NOTIFY = (
    "<b>Ny FoUI-kontakt vil registrere seg</b>\n"
    "Navn: <b>{name}</b>{username}\n"
    "Kommune: <b>{municipality}</b>\n"
    "Rolle: {role}"
)
REG_APPROVE_BUTTON = "✅ Godkjenn"
REG_REJECT_BUTTON = "❌ Avslå"
REG_DECIDED_APPROVED = "✅ Godkjent av {coordinator}."
REG_DECIDED_REJECTED = "❌ Avslått av {coordinator}."
REG_ALREADY_DECIDED = "Denne registreringen er allerede behandlet, eller erstattet av en nyere."
REG_MEMBER_APPROVED = (
    "Du er godkjent som FoUI-kontakt for <b>{municipality}</b>. Velkommen!\n"
    "Nå kan du se de andre kontaktene med /kontakter."
)
REG_MEMBER_REJECTED = (
    "Registreringen din som FoUI-kontakt for <b>{municipality}</b> ble ikke godkjent.\n"
    "Mener du det er feil, ta kontakt med en av koordinatorene i FoUI-nettverket."
)

# ---- /kontakter ------------------------------------------------------------------------------
CONTACTS_HEADER = "<b>FoUI-kontakter</b> ({count})"
CONTACTS_MUNICIPALITY = "<b>{municipality}</b>"
CONTACTS_LINE = "• {name}{username} – {role}"
CONTACTS_LINE_NO_ROLE = "• {name}{username}"
CONTACTS_USERNAME = " (@{username})"
CONTACTS_NONE = "Ingen er godkjent som FoUI-kontakt ennå."
CONTACTS_NONE_FOR = "Ingen godkjent FoUI-kontakt for {municipalities} ennå."
CONTACTS_NO_MATCH = "Fant ingen kommune som passer «{query}»."
CONTACTS_REFUSED_UNREGISTERED = (
    "Kontaktlisten er for godkjente FoUI-kontakter og koordinatorene. Registrer deg med /registrer."
)
CONTACTS_REFUSED_PENDING = "Kontaktlisten åpner seg når en koordinator har godkjent registreringen din."

# ---- /dekning --------------------------------------------------------------------------------
COVERAGE_HEADER = "<b>Dekning</b>: {covered} av {total} kommuner har en godkjent FoUI-kontakt."
COVERAGE_WITH = "<b>Med kontakt ({count})</b>"
COVERAGE_WITHOUT = "<b>Uten kontakt ({count})</b>"
COVERAGE_UNLISTED = "<b>Godkjent for kommuner som ikke lenger står i listen</b>"
COVERAGE_ITEM = "{municipality}"
COVERAGE_ITEM_COUNT = "{municipality} ({count})"
COVERAGE_ITEM_PENDING = "{municipality} – {count} venter på godkjenning"
COVERAGE_ALL_COVERED = "Alle kommunene har en kontakt. 🎉"
COVERAGE_PENDING_TOTAL = "{registrations} venter på godkjenning."

# ---- join requests and membership ------------------------------------------------------------
JOIN_ASK_REGISTER = (
    "Hei {name}! Takk for at du vil bli med i FoUI-gruppen.\n"
    "Gruppen er for FoUI-kontaktene i kommunene. Registrer deg med /registrer (eller trykk på knappen), "
    "så slipper en koordinator deg inn."
)
JOIN_PENDING = (
    "Hei {name}! Registreringen din som FoUI-kontakt for <b>{municipality}</b> venter på godkjenning. "
    "Så snart en koordinator har godkjent den, slipper jeg deg inn i gruppen."
)
JOIN_REGISTER_BUTTON = "Registrer meg"
JOIN_NOTIFY = "<b>{name}</b>{username} ber om å bli med i FoUI-gruppen.\n{status}"
JOIN_STATUS_UNKNOWN = "Personen er ikke registrert som FoUI-kontakt; jeg har bedt om en registrering."
JOIN_STATUS_PENDING = "Registrert for <b>{municipality}</b> ({role}), venter på godkjenning."
JOIN_STATUS_REJECTED = "Registreringen for <b>{municipality}</b> ble avslått tidligere."
JOIN_APPROVE_BUTTON = "✅ Slipp inn"
JOIN_DECLINE_BUTTON = "❌ Avslå"
JOIN_APPROVED_BY = "✅ Sluppet inn av {coordinator}."
JOIN_DECLINED_BY = "❌ Avslått av {coordinator}."
JOIN_ALREADY_HANDLED = "Forespørselen er allerede behandlet, eller trukket tilbake."
LEFT_NOTIFY = (
    "<b>{name}</b>{username}, FoUI-kontakt for <b>{municipality}</b>, er ikke lenger med i gruppen "
    "og ser ikke kontaktlisten før hen er med igjen."
)

# ---- /minedata and /slettmeg -----------------------------------------------------------------
MYDATA_CAPTION = (
    "Her er alt jeg har lagret om deg, som JSON. Vil du slette det, skriv /slettmeg. "
    "Hva som lagres, hvorfor og hvor lenge, kan koordinatorene i nettverket svare på."
)
MYDATA_FILENAME = "minedata-{date}.json"
DELETE_CONFIRM = (
    "Vil du at jeg sletter alt jeg har lagret om deg?\n"
    "Det gjelder navn og brukernavn, innstillinger, emner du følger, søkevarsler, "
    "«ikke interessert»-markeringer, registreringen som FoUI-kontakt, påmeldinger til arrangementer, "
    "kommunens «Vi vurderer»/«Vi søker» som du har satt, svarene dine om kontakt med andre kommuner, "
    "søknadsplaner du har laget og meldinger som venter på å bli sendt til deg. Det kan ikke angres.\n"
    "Loggen over hva som er gjort i boten beholdes, men uten noe som peker på deg."
)
DELETE_YES_BUTTON = "Ja, slett alt"
DELETE_DONE = (
    "Ferdig: alt jeg hadde lagret om deg er slettet.\n"
    "Er du med i FoUI-gruppen, er du fortsatt med der. Skriver du til meg igjen, lagrer jeg bare det som "
    "trengs for å svare deg."
)
DELETE_NOTHING = "Jeg hadde ikke lagret noe om deg, så det er ingenting å slette."
DELETE_CANCELLED = "Greit, ingenting er slettet."
DELETE_EXPIRED = "Den bekreftelsen er for gammel. Skriv /slettmeg på nytt om du vil slette."
