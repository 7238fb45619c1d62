"""Texts of starting and setting up the bot: start errors for the operator, /oppsett and /koordinatorer."""

# ---- start errors (stderr, one or two lines each; never a traceback, never the token) -----------
TOKEN_REJECTED = (
    "Telegram avviste bot-tokenet (FOUI_BOT_TOKEN). Sjekk at tokenet fra @BotFather er skrevet helt "
    "og ikke er trukket tilbake (/revoke), og FOUI_TELEGRAM_API_URL hvis du har endret den."
)
TELEGRAM_UNREACHABLE = "Får ikke kontakt med Telegram ({reason}). Prøver igjen om {seconds} s."
TELEGRAM_REFUSED = "Telegram svarte ikke som ventet ({reason}). Sjekk FOUI_TELEGRAM_API_URL."
DATABASE_DOWN = (
    "Får ikke kontakt med databasen ({url}): {reason}.\n"
    "Sjekk at databaseserveren kjører og at vert og port i FOUI_DATABASE_URL stemmer."
)
DATABASE_MISSING = (
    "Databasen i FOUI_DATABASE_URL ({url}) finnes ikke eller kan ikke åpnes: {reason}.\n"
    "Opprett den (PostgreSQL: createdb), eller rett navnet eller stien."
)
DATABASE_READ_ONLY = (
    "Databasen ({url}) kan bare leses, ikke skrives: {reason}.\n"
    "Gi brukeren som kjører boten skrivetilgang til filen og mappen den ligger i."
)
DATABASE_DENIED = (
    "Databasen ({url}) slapp ikke boten inn: {reason}.\nSjekk brukernavn og passord i FOUI_DATABASE_URL."
)
DATABASE_FAILED = "Databasen ({url}) kunne ikke tas i bruk: {reason}."
SOURCES_FILE_UNUSABLE = "FoUI-boten starter ikke: kildefilen i FOUI_SOURCES_FILE kan ikke brukes.\n  {reason}"
UNEXPECTED_STOP = (
    "FoUI-boten stoppet på grunn av en uventet feil: {reason}\n"
    "Start med FOUI_LOG_LEVEL=DEBUG for å se detaljene i loggen."
)
SOURCES_FILE_NOT_UTF8 = "Kildefilen {path} er ikke UTF-8-tekst; lagre den som UTF-8."

# ---- the setup code, printed by `foui-bot run` (stdout/stderr, plain text) ----------------------
SETUP_CODE_NEW = (
    "Koble til nettverkets gruppe: legg @{bot} til i gruppen og skriv der: /oppsett {code}\n"
    "Den som gjør det, blir første koordinator. Koden vises bare nå; den kan brukes én gang."
)
SETUP_CODE_EARLIER = (
    "Ingen gruppe er koblet til ennå. Bruk /oppsett-koden som ble vist første gang boten startet, "
    "eller velg en selv med FOUI_SETUP_CODE og start på nytt."
)
SETUP_CODE_CONFIGURED = (
    "Ingen gruppe er koblet til ennå: legg @{bot} til i gruppen og skriv der /oppsett og koden "
    "i FOUI_SETUP_CODE."
)
SETUP_CONNECTED = "Nettverkets gruppe: {title} ({group})."

# ---- /oppsett (HTML) ----------------------------------------------------------------------------
OPPSETT_DESCRIPTION = "koble nettverkets gruppe til boten (med koden fra oppstarten)"
OPPSETT_HOW = (
    "Skriv <code>/oppsett KODE</code> her i gruppen, med koden som ble vist da boten startet første gang."
)
OPPSETT_IN_GROUP_ONLY = (
    "/oppsett skrives i nettverkets gruppe: legg meg til i gruppen og skriv <code>/oppsett KODE</code> der."
)
OPPSETT_DONE = (
    "✅ Gruppen <b>{title}</b> er nå koblet til FoUI-boten, og {name} er koordinator.\n"
    "Gruppens administratorer er også koordinatorer. Flere legges til med /koordinatorer i en "
    "privat samtale med meg. Skriv /status der for å se at alt virker."
)
OPPSETT_SAME_GROUP = "Denne gruppen er allerede koblet til FoUI-boten. 🙂"
OPPSETT_OTHER_GROUP = (
    "FoUI-boten er allerede koblet til en annen gruppe, så denne kobles ikke til. Skal boten flytte hit, "
    "må den som driver den sette FOUI_SETUP_CODE; skriv så /oppsett med den koden her."
)
OPPSETT_WRONG_CODE = "Den koden stemmer ikke. Sjekk koden fra oppstarten og prøv igjen."
OPPSETT_TOO_MANY = "For mange feil koder. Vent en time og prøv igjen."
OPPSETT_FROM_SETTINGS = (
    "Gruppen er valgt av den som driver boten (FOUI_GROUP_CHAT_ID), så /oppsett trengs ikke."
)

# ---- /koordinatorer (HTML) ----------------------------------------------------------------------
KOORD_DESCRIPTION = "se, legg til og fjern koordinatorer"
KOORD_LIST_HEADER = "<b>Koordinatorer</b>"
KOORD_LINE = "• {name} <code>{id}</code>"
KOORD_LINE_ID = "• <code>{id}</code>"
KOORD_NONE = "Ingen er lagt til ennå."
KOORD_ADMINS_TOO = "Gruppens administratorer er også koordinatorer."
KOORD_FROM_SETTINGS = "Koordinatorene er satt i FOUI_COORDINATOR_IDS av den som driver boten, og endres der."
KOORD_HOW_TO_ADD = (
    "Legg til: trykk «{button}» nederst og velg personen, eller skriv "
    "<code>/koordinatorer legg til @brukernavn</code>. I gruppen: svar på en melding fra personen "
    "med <code>/koordinatorer legg til</code>."
)
KOORD_BTN_PICK = "➕ Velg en koordinator"
KOORD_BTN_REMOVE = "❌ {name}"
KOORD_ADDED = "✅ {name} er nå koordinator."
KOORD_ALREADY = "{name} er allerede koordinator."
KOORD_REMOVED = "{name} er ikke lenger koordinator."
KOORD_NOT_FOUND = (
    "Jeg finner ingen «{word}» som har skrevet til meg. Be personen sende /start til meg først, "
    "eller trykk «{button}» og velg dem."
)
KOORD_LAST = "Den siste koordinatoren kan ikke fjernes."
KOORD_NOT_ONE = "{name} er ikke koordinator her."
KOORD_USAGE = (
    "Skriv /koordinatorer for listen, <code>/koordinatorer legg til @brukernavn</code> eller "
    "<code>/koordinatorer fjern @brukernavn</code>."
)
KOORD_REPLY_NEEDED = (
    "Svar på en melding fra personen med <code>/koordinatorer legg til</code>, eller skriv "
    "/koordinatorer til meg i en privat samtale."
)

# ---- /status: the group and the coordinators (HTML) ---------------------------------------------
STATUS_GROUP = "Gruppe: <code>{group}</code> · {count} koordinator(er), pluss gruppens administratorer"
STATUS_NO_GROUP = "⚠️ Ingen gruppe er koblet til ennå: skriv <code>/oppsett KODE</code> i nettverkets gruppe."
