"""Texts of the calendar wing: subscriptions (/kalender), the feed, the årshjul and the timeline."""

# ---- iCalendar --------------------------------------------------------------------------------
CALENDAR_FEED_NAME = "FoUI-boten"
CALENDAR_FEED_NAME_GROUP = "FoUI-boten – {group}"
CALENDAR_EVENT_ALARM = "Snart: {title}"
CALENDAR_MILESTONE = "Milepæl: {label} ({title})"
CALENDAR_MILESTONE_ALARM = "Milepæl om noen dager: {label} ({title})"
FEED_NOT_FOUND = "Ukjent eller fornyet kalenderlenke. Skriv /kalender til boten for en ny.\n"
FEED_UNAVAILABLE = "Kalenderen er ikke tilgjengelig akkurat nå. Prøv igjen senere.\n"

# ---- /kalender: subscriptions ---------------------------------------------------------------
CALENDAR_SUB_OFF = (
    "Kalenderabonnement er ikke slått på i denne boten ennå, så her er fristene som fil. "
    "En fil oppdateres ikke av seg selv: hent en ny når frister flyttes."
)
CALENDAR_SUB_NEW = (
    "📅 <b>{whose}</b>\n"
    "Abonner på denne adressen, så holder kalenderen seg oppdatert når frister flyttes:\n"
    "<code>{webcal}</code>\n\n"
    "Eller som vanlig nettadresse:\n<code>{https}</code>\n\n"
    "• <b>Outlook</b>: Legg til kalender → Abonner fra nettet → lim inn adressen.\n"
    "• <b>Google Kalender</b> (på nett): Andre kalendere → + → Fra nettadresse.\n"
    "• <b>iPhone</b>: Innstillinger → Kalender → Kontoer → Legg til konto → Annet → "
    "Legg til abonnert kalender.\n\n"
    "🔒 Adressen er hemmelig: del den ikke. Boten lagrer den ikke, så ta vare på den."
)
CALENDAR_SUB_WHOSE_MINE = "Din personlige kalender"
CALENDAR_SUB_WHOSE_GROUP = "Gruppens kalender"
CALENDAR_SUB_EXISTS = (
    "📅 {whose} har allerede en kalenderlenke (laget {date}). Boten lagrer ikke selve lenken. "
    "Har du mistet den, trykk «Ny lenke» – da slutter den gamle å virke."
)
CALENDAR_SUB_WHO_MINE = "Du"
CALENDAR_SUB_WHO_GROUP = "Gruppen"
CALENDAR_SUB_STOPPED = "Kalenderabonnementet er stoppet: lenken virker ikke lenger."
CALENDAR_SUB_NONE = "Det er ingen kalenderlenke å stoppe."
CALENDAR_SUB_ADMINS_ONLY = (
    "Bare gruppens administratorer og koordinatorene kan lage, fornye eller stoppe gruppens kalenderlenke."
)
BTN_CAL_SUBSCRIBE = "📅 Lag kalenderlenke"
BTN_CAL_RENEW = "🔄 Ny lenke"
BTN_CAL_STOP = "🗑 Stopp abonnementet"
BTN_CAL_FILE = "📎 Send som fil"

# ---- the årshjul (/arshjul, /frister's section, /nyfrist forventet) -------------------------
CMD_ARSHJUL = "Årshjulet: frister og forventede runder de neste 12 månedene"
ARSHJUL_HEADER = (
    "🗓 <b>Årshjulet</b> · de neste 12 månedene\n"
    "Kunngjorte frister, og runder vi venter ut fra tidligere år (<i>forventet</i>: ikke en frist ennå)."
)
ARSHJUL_MONTH = "<b>{month} {year}</b>"
ARSHJUL_DEADLINE = "• {day}. {month_short}: {title}"
ARSHJUL_EXPECTED = "• <i>forventet</i>: {title} · {source}{basis}"
ARSHJUL_BASIS = " (tidligere {dates})"
ARSHJUL_BY_COORDINATOR = " (satt av koordinator)"
ARSHJUL_MORE = "• … og {count} frister til: /frister"
ARSHJUL_EMPTY_MONTH = "–"
FRISTER_EXPECTED_HEADER = "🔮 <b>Forventet, ikke kunngjort ennå</b>"
FRISTER_EXPECTED_ITEM = "• {title} · {source} – forventet i {month}"
FRISTER_EXPECTED_MORE = "Hele årshjulet: /arshjul"
EXPECTED_USAGE = (
    "Skriv en forventet runde slik:\n"
    "<code>/nyfrist forventet oktober Statsforvalteren i Trøndelag: Prosjektskjønn – fornying og "
    "innovasjon</code>\n"
    "Med år: <code>/nyfrist forventet mars 2027 Kilde: Tittel</code>. "
    "Ikke forventet i år: <code>/nyfrist forventet ikke Kilde: Tittel</code>."
)
EXPECTED_SAVED = (
    "🔮 Lagret: «{title}» ({source}) er forventet i {month} {year}. Den vises i /arshjul, aldri som frist."
)
EXPECTED_CANCELLED = "Lagret: «{title}» ({source}) er ikke forventet. Den vises ikke i årshjulet."
EXPECTED_BAD_MONTH = (
    "Jeg kjente ikke igjen «{word}» som en måned. Skriv for eksempel «oktober» eller «mars 2027»."
)
EXPECTED_PAST = "{month} {year} er allerede passert. Skriv en måned som kommer."

# ---- the timeline picture -----------------------------------------------------------------------
BTN_TIMELINE = "📊 Vis som bilde"
TIMELINE_TITLE = "Frister de neste {weeks} ukene"
TIMELINE_MORE = "(+{count} til)"
TIMELINE_EMPTY = "Ingen frister i denne perioden"
TIMELINE_WEEK = "uke {week}\n{day}.{month}"
TIMELINE_CAPTION = "📊 Fristene de neste {weeks} ukene i {scope}. Teksten over har detaljene og lenkene."
TIMELINE_FILENAME = "frister.png"
WEEKLY_PICTURE_CAPTION = "📊 Fristene de neste {weeks} ukene i {scope}. Detaljer og lenker: /frister"
WEEKLY_PICTURE_EMPTY = (
    "📊 Ingen frister de neste {weeks} ukene i {scope}, så det er ikke noe å tegne. "
    "Se /frister eller /arshjul for det som kommer senere."
)
WEEKLY_PICTURE_STALE = (
    "Denne oversikten er mer enn {weeks} uker gammel. Skriv /frister for fristene nå – "
    "der kan du også få dem som bilde."
)
