"""Texts for members: /start, /hjelp, /frister, /emner, /varsle, /innstillinger, /sok, /kalender.

HTML texts: fill the placeholders with ``html.escape``d values only.
"""

from bot.texts.i18n import ngettext


def frister_count(count: int) -> str:
    """'1 frist', '3 frister' (the catalogue's plural forms)."""
    return ngettext("{count} frist", "{count} frister", count).format(count=count)


def search_count(count: int) -> str:
    """'1 treff', '3 treff'."""
    return ngettext("{count} treff", "{count} treff", count).format(count=count)


# ---- the command menu (setMyCommands: at most 256 characters, no HTML) ------------------------
CMD_START = "Kom i gang"
CMD_HJELP = "Hva boten kan"
CMD_HELP = "Hva boten kan (hjelp)"
CMD_FRISTER = "Kommende søknadsfrister"
CMD_EMNER = "Velg emnene du følger"
CMD_ABONNER = "Følg et emne"
CMD_AVSLUTT = "Slutt å følge et emne"
CMD_VARSLE = "Varsel når et ord dukker opp"
CMD_INNSTILLINGER = "Varsler, påminnelser og stille timer"
CMD_SETTINGS = "Innstillinger"
CMD_SOK = "Søk i utlysninger"
CMD_KALENDER = "Kalenderen din: abonnement som oppdateres, eller fil (.ics)"

# ---- /start and /hjelp ------------------------------------------------------------------------
WELCOME_PRIVATE = (
    "Hei, {name}! 👋\n"
    "Jeg er FoUI-boten for FoUI-nettverket i Trøndelag. Jeg følger med på utlysninger og "
    "søknadsfrister, og sier fra når noe nytt dukker opp i emnene dine.\n\n"
    "<b>Velg emnene du vil følge:</b>"
)
WELCOME_BACK = (
    "Hei igjen, {name}! 👋\nDu følger {count}. Skriv /frister for de neste fristene, eller endre emnene her:"
)
WELCOME_GROUP = (
    "Hei! 👋 Jeg er FoUI-boten. Skriv /frister for de kommende søknadsfristene, "
    "eller /hjelp for alt jeg kan.\n"
    'Vil du ha varsler og påminnelser til deg selv? <a href="{link}">Start en privat prat med meg</a>.'
)
HELP_HEADER = "<b>Dette kan jeg hjelpe deg med</b>"
UNKNOWN_COMMAND_GUESS = "Den kommandoen kjenner jeg ikke. Mente du /{guess}? Skriv /hjelp for alt jeg kan."
UNKNOWN_COMMAND = "Den kommandoen kjenner jeg ikke. Skriv /hjelp for alt jeg kan."
HELP_LINE = "/{name} – {description}"
HELP_FOOTER_PRIVATE = "Du kan trykke på knappene i svarene mine i stedet for å skrive."
HELP_FOOTER_GROUP = (
    'Personlige varsler og innstillinger ordner du i en <a href="{link}">privat prat med meg</a>.'
)

# ---- buttons shared by several answers ---------------------------------------------------------
BTN_PREV = "◀ Forrige"
BTN_NEXT = "Neste ▶"
BTN_DONE = "Ferdig"
BTN_BACK = "◀ Tilbake"
BTN_PICK_TOPICS = "Velg emner"
BTN_ALL_DEADLINES = "Vis alle frister"
BTN_OPEN_PRIVATE = "Åpne privat prat"

# ---- /frister ---------------------------------------------------------------------------------
FRISTER_HEADER = "<b>Søknadsfrister</b> · {scope} · {window}"
FRISTER_SCOPE_MINE = "dine emner"
FRISTER_SCOPE_ALL = "alle emner"
FRISTER_SCOPE_TOPIC = "{topic}"
FRISTER_SCOPE_SOURCE = "fra {source}"
FRISTER_WINDOW_DAYS = "neste {days} dager"
FRISTER_WINDOW_ALL = "alle kommende"
FRISTER_PAGE = "side {page} av {pages}"
FRISTER_THIS_WEEK = "Denne uka"
FRISTER_NEXT_WEEK = "Neste uke"
FRISTER_WEEK = "Uke {week} · {dates}"
FRISTER_ITEM = "{title}\n{source}{deadline} · <b>{days}</b>"
FRISTER_ITEM_TOPICS = "\n<i>{topics}</i>"
FRISTER_TOPICS_SEPARATOR = " · "  # topic names hold commas themselves
FRISTER_PLANNED = " (planlagt)"
FRISTER_LINK = '<a href="{url}">{title}</a>'
FRISTER_ROLLING_HEADER = "<b>Løpende</b> – søk når som helst"
FRISTER_ROLLING_ITEM = "• {title}{source}"
FRISTER_ROLLING_SOURCE = " ({source})"
FRISTER_ROLLING_MORE = "… og {count} til. Søk med /sok."
FRISTER_NO_TOPICS_HINT = "Du følger ingen emner ennå, så du ser alle. Velg dine med /emner."
FRISTER_NONE = "Ingen søknadsfrister her: {scope}, {window}."
FRISTER_NONE_HINT = "Prøv <code>/frister alle</code> for alle kommende frister, eller velg flere emner."
FRISTER_BAD_ARG = (
    "Jeg forstod ikke «{arg}». Du kan skrive:\n"
    "• et emne: {topics}\n"
    "• en kilde: {sources}\n"
    "• et antall dager, for eksempel <code>/frister 30</code>\n"
    "• <code>/frister alle</code> for alle kommende frister"
)
FRISTER_NO_SOURCES = "(ingen ennå)"
FRISTER_BAD_DAYS = "Antall dager må være mellom 1 og {max}. For eksempel: <code>/frister 30</code>"
FRISTER_EXPIRED = "Denne listen er utdatert. Skriv /frister for en ny."

# ---- /emner, /abonner, /avslutt -----------------------------------------------------------------
TOPICS_PRIVATE = "<b>Emnene dine</b>\nTrykk for å slå av og på. ✅ betyr at du får varsler om emnet."
TOPICS_GROUP = (
    "<b>Gruppens emner</b>\nNye utlysninger i emnene med ✅ postes i gruppen. "
    "Gruppens administratorer og koordinatorene kan endre dem."
)
TOPIC_ON = "✅ {name}"
TOPIC_OFF = "▫️ {name}"
BTN_TOPICS_ALL = "Velg alle"
BTN_TOPICS_NONE = "Fjern alle"
TOPICS_DONE = "<b>Lagret.</b> {summary}"
TOPICS_SUMMARY_SOME = "Du følger:\n{names}\n\nSkriv /frister for de neste fristene i emnene dine."
TOPICS_SUMMARY_GROUP = "Gruppen følger:\n{names}"
TOPICS_SUMMARY_LINE = "• {name}"
TOPICS_SUMMARY_NONE = (
    "Ingen emner valgt – du får ingen varsler om nye utlysninger. Velg emner med /emner når du vil."
)
TOPICS_SUMMARY_NONE_GROUP = "Gruppen følger ingen emner, så nye utlysninger postes ikke her."
TOPIC_TOGGLED_ON = "Følger nå: {name}"
TOPIC_TOGGLED_OFF = "Følger ikke lenger: {name}"
SUBSCRIBED = "✅ Du følger nå <b>{name}</b>. Se alle emnene dine med /emner."
SUBSCRIBED_GROUP = "✅ Gruppen følger nå <b>{name}</b>."
ALREADY_SUBSCRIBED = "Du følger allerede <b>{name}</b>."
UNSUBSCRIBED = "Du følger ikke lenger <b>{name}</b>."
UNSUBSCRIBED_GROUP = "Gruppen følger ikke lenger <b>{name}</b>."
NOT_SUBSCRIBED = "Du følger ikke <b>{name}</b> fra før."
TOPIC_USAGE = "Hvilket emne? Skriv for eksempel <code>/{command} helse</code>, eller velg med knappene:"
TOPIC_UNKNOWN = "Fant ikke noe emne som heter «{query}». Emnene er:\n{topics}"
TOPIC_LIST_LINE = "• <code>{word}</code> – {name}"
NOT_GROUP_ADMIN = (
    "Beklager, bare gruppens administratorer og koordinatorene kan endre gruppens emner. "
    'Dine egne emner velger du i en <a href="{link}">privat prat med meg</a>.'
)
NOT_GROUP_ADMIN_SHORT = "Bare gruppens administratorer og koordinatorene kan endre dette."

# ---- /varsle ----------------------------------------------------------------------------------
ALERTS_LIST = (
    "<b>Ordvarslene dine</b>\nDu får beskjed når en ny utlysning nevner et av disse ordene. "
    "Trykk på et ord for å fjerne det."
)
ALERTS_NONE = (
    "Du har ingen ordvarsler ennå. Skriv for eksempel <code>/varsle velferdsteknologi</code>, "
    "så sier jeg fra når en ny utlysning nevner ordet."
)
ALERT_BUTTON = "❌ {keyword}"
ALERT_ADDED = "🔔 Jeg sier fra når en ny utlysning nevner «{keyword}». Se alle ordvarslene med /varsle."
ALERT_EXISTS = "Du har allerede varsel på «{keyword}»."
ALERT_REMOVED = "Fjernet «{keyword}»"
ALERT_GONE = "Det varselet er allerede fjernet."
ALERT_TOO_SHORT = "Ordet må ha minst {min} tegn."
ALERT_TOO_LONG = "Ordet kan ha høyst {max} tegn."
ALERT_REFUSED = "⚠️ «{keyword}» ble ikke lagt til: {reason}"
ALERT_TOO_MANY = "Du har {max} ordvarsler, som er grensen. Fjern et med /varsle før du legger til flere."
ALERTS_PRIVATE_ONLY = (
    'Ordvarsler er personlige. <a href="{link}">Åpne en privat prat med meg</a> og skriv /varsle der.'
)

# ---- /innstillinger ---------------------------------------------------------------------------
SETTINGS_TEXT = (
    "<b>Innstillinger</b>\n"
    "Varsler: <b>{mode}</b>\n"
    "Påminnelser før frist: <b>{reminders}</b>\n"
    "Stille timer: <b>{quiet}</b>\n\n"
    "Trykk for å endre."
)
SETTINGS_MODE_INSTANT = "med en gang"
SETTINGS_MODE_DAILY = "daglig sammendrag kl. {hour:02d}"
SETTINGS_MODE_WEEKLY = "ukentlig sammendrag, mandag kl. {hour:02d}"
SETTINGS_REMINDERS = "{days} dager før"
SETTINGS_REMINDERS_NONE = "ingen"
SETTINGS_QUIET = "kl. {start:02d}–{end:02d}"
SETTINGS_QUIET_NONE = "ingen"
SETTINGS_DAYS_SAME = "samme dag"
SETTINGS_REMINDERS_AND_SAME = "{ahead}, og samme dag"
SETTINGS_REMINDERS_ONE = "1 dag før"
AND = "og"
SETTINGS_DONE = (
    "<b>Innstillingene er lagret.</b>\nVarsler: {mode} · påminnelser: {reminders} · stille timer: {quiet}"
)
BTN_MODE_INSTANT = "Med en gang"
BTN_MODE_DAILY = "Daglig"
BTN_MODE_WEEKLY = "Ukentlig"
BTN_SELECTED = "✅ {label}"
BTN_DIGEST_HOUR = "🕗 Sammendrag kl. {hour:02d}"
BTN_REMINDERS = "⏰ Påminnelser"
BTN_QUIET = "🌙 Stille timer"
SETTINGS_HOUR_MENU = "<b>Når vil du ha sammendraget?</b>"
SETTINGS_REMINDERS_MENU = (
    "<b>Påminnelser før frist</b>\nTrykk for å slå av og på. ✅ betyr at du får en påminnelse da."
)
SETTINGS_QUIET_MENU = "<b>Stille timer</b>\nI disse timene venter varslene til morgenen."
BTN_REMINDER_DAY = "{days} dager før"
BTN_REMINDER_ONE = "1 dag før"
BTN_REMINDER_ZERO = "Samme dag"
BTN_QUIET_CHOICE = "{start:02d}–{end:02d}"
BTN_QUIET_NONE = "Ingen stille timer"
SETTINGS_SAVED = "Lagret"
SETTINGS_PRIVATE_ONLY = (
    "Innstillingene dine er personlige, så vi tar dem i en privat prat. Trykk på knappen under."
)

# ---- /sok -------------------------------------------------------------------------------------
SEARCH_USAGE = "Hva vil du søke etter? Skriv for eksempel <code>/sok velferdsteknologi</code>."
SEARCH_HEADER = "<b>Søk:</b> «{query}» · {count}"
SEARCH_SHOWING = "Viser de {shown} første. Skriv flere ord for å snevre inn."
SEARCH_NONE = "Fant ingen utlysninger med «{query}». Prøv et annet eller kortere ord."
SEARCH_TOO_SHORT = "Skriv minst {min} tegn å søke etter."
SEARCH_OPEN = "Frist {deadline} · <b>{days}</b>"
SEARCH_ROLLING = "Løpende – søk når som helst"
SEARCH_CLOSED = "Stengt · fristen var {deadline}"
SEARCH_NO_DEADLINE = "Frist ikke kjent"
SEARCH_ITEM = "{title}\n{source}{status}"

# ---- /kalender --------------------------------------------------------------------------------
CALENDAR_CAPTION = (
    "📅 {count} i {scope}. Åpne filen for å legge dem inn i Outlook, Google eller iPhone-kalenderen."
)
CALENDAR_SCOPE_MINE = "emnene dine"
CALENDAR_SCOPE_GROUP = "gruppens emner"
CALENDAR_SCOPE_ALL = "alle emner"
CALENDAR_NONE = "Ingen kommende frister i {scope} akkurat nå, så det ble ingen kalenderfil."
CALENDAR_FILENAME = "foui-frister.ics"
CALENDAR_NAME = "FoUI-frister"
CALENDAR_EVENT = "Frist: {title}"
CALENDAR_DESCRIPTION_SOURCE = "Kilde: {source}"
CALENDAR_ALARM = "Søknadsfrist om {days} dager: {title}"

# ---- errors every handler may meet ----------------------------------------------------------
BLOCKED_LOG = "chat %s has blocked the bot; marked inactive"

# ---- the console (plain text, not HTML) -------------------------------------------------------
CONSOLE_INTRO = (
    "FoUI-boten i terminalen. Skriv som i Telegram, for eksempel /start eller /frister.\n"
    "Knapper vises som [1], [2] …: skriv tallet for å trykke. Avslutt med Ctrl+D eller «:q»."
)
CONSOLE_WHERE = "Du er {who} i {where}. Database: {db}"
CONSOLE_WHO_MEMBER = "medlem {user_id}"
CONSOLE_WHO_COORDINATOR = "koordinator {user_id}"
CONSOLE_WHERE_PRIVATE = "en privat chat"
CONSOLE_WHERE_GROUP = "nettverkets gruppe"
CONSOLE_EXAMPLES = "{count} eksempelutlysninger er lastet inn."
CONSOLE_PROMPT = "du> "
CONSOLE_BOT = "boten>"
CONSOLE_EDITED = "boten (endret meldingen)>"
CONSOLE_NOTICE = "boten (varsel)> {text}"
CONSOLE_DOCUMENT = "boten sendte filen {name}, lagret i {path}"
CONSOLE_LINK_BUTTON = "lenke: {url}"
CONSOLE_NO_SUCH_BUTTON = "Det er ingen knapp nummer {number}."
CONSOLE_NOTHING = "(boten svarte ikke)"
CONSOLE_BYE = "Ha det!"
