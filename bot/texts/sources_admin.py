"""Texts of /kilder: the sources with their health, pausing, removing, fetching now and adding one.
HTML; callers escape every dynamic value."""

KI_CMD = "Kildene: helse, pause, fjern, hent nå, legg til"
KI_HEADER = "📡 <b>Kilder</b> ({count})\nTrykk på en kilde for å pause, fjerne eller hente den nå."
KI_EMPTY = "📡 Ingen kilder er lagt inn. Trykk «Legg til kilde» for å legge inn den første."
KI_LINE = (
    "{icon} <b>{name}</b> ({kind}, {state})\n"
    "    Sist hentet: {success} · {found} funnet{failures}\n"
    "    Neste henting: {next}{error}"
)
KI_LINE_FAILURES = " · {count} feil på rad"
KI_LINE_ERROR = "\n    Siste feil: {error}"
KI_CARD = (
    "{icon} <b>{name}</b>\n"
    "Type: {kind} · {state}\n"
    "Adresse: {url}\n"
    "Emner: {topics}\n"
    "Sist vellykket henting: {success}\n"
    "Siste feil: {error}\n"
    "Utlysninger funnet sist: {found}\n"
    "Feil på rad: {failures}\n"
    "Neste henting: {next}"
)
KI_STATE_ACTIVE = "aktiv"
KI_STATE_PAUSED = "pauset"
KI_NEVER = "aldri"
KI_NO_ERROR = "ingen"
KI_NEXT_SOON = "snart"
KI_NEXT_PAUSED = "ikke (pauset)"
KI_GONE = "Den kilden finnes ikke lenger. Skriv /kilder for å se listen."

BTN_KI_ADD = "➕ Legg til kilde"
BTN_KI_PAUSE = "⏸ Pause"
BTN_KI_RESUME = "▶️ Gjenoppta"
BTN_KI_POLL = "🔄 Hent nå"
BTN_KI_REMOVE = "🗑 Fjern"
BTN_KI_REMOVE_YES = "🗑 Ja, fjern"
BTN_KI_LIST = "⬅️ Alle kilder"

KI_PAUSED = "⏸ «{name}» er satt på pause. Den hentes ikke før du gjenopptar den."
KI_RESUMED = "▶️ «{name}» er i gang igjen og hentes straks."
KI_REMOVE_CONFIRM = (
    "Fjerne kilden «{name}»?\n{url}\n\n"
    "Utlysningene som alt er hentet, blir liggende i /frister. Vil du bare stoppe den en stund, "
    "trykk heller «Pause»."
)
KI_REMOVED = "🗑 «{name}» er fjernet. Utlysningene som alt var hentet, er beholdt."
KI_KEPT = "Greit, kilden er beholdt."

KI_POLLING = "🔄 Henter «{name}» nå …"
KI_POLL_OK = "✅ «{name}» er hentet: {found} funnet, {new} nye, {changed} endret, {closed} avsluttet."
KI_POLL_NOT_MODIFIED = "✅ «{name}» er hentet: uendret siden sist."
KI_POLL_FAILED = "❌ «{name}» kunne ikke hentes: {reason}\nFeil på rad: {failures}. Neste forsøk: {next}."
KI_POLL_ITEM = "• {mark} {title} – {deadline}"
KI_POLL_MORE = "… og {count} til."
KI_MARK_NEW = "ny:"
KI_MARK_CHANGED = "endret:"
KI_MARK_DEADLINE = "ny frist:"
KI_MARK_CLOSED = "avsluttet:"
KI_DEADLINE_NONE = "ingen frist funnet"
KI_DEADLINE_ROLLING = "løpende"
KI_POLL_WARNINGS = "⚠️ {count}, for eksempel: {first}"

# ---- adding a source --------------------------------------------------------------------------
KI_ADD_ASK_URL = (
    "➕ <b>Ny kilde</b> – trinn 1 av 4\n"
    "Send adressen til kilden (https://…): en RSS- eller Atom-feed, Forskningsrådets "
    "utlysningsside eller Statsforvalterens nyhetsliste."
)
KI_ADD_ASK_KIND = "Trinn 2 av 4: Hva slags kilde er det?\n{url}"
KI_ADD_TRYING = "Prøver kilden nå, uten å lagre noe …"
KI_ADD_FOUND = (
    "✅ Kilden svarer: {found} utlysninger funnet, for eksempel:\n{examples}\n\n"
    "Trinn 3 av 4: Hva skal kilden hete? For eksempel «KS – FoU» eller «Statsforvalteren i Trøndelag»."
)
KI_ADD_EXAMPLE = "• {title}"
KI_ADD_ASK_TOPICS = (
    "Trinn 4 av 4: Hører alle utlysningene fra «{name}» til bestemte emner? Velg dem (eller ingen), "
    "og trykk «Ferdig». Emnene finnes ellers ut fra hver utlysnings tekst."
)
KI_ADD_REFUSED = (
    "❌ Kilden ble ikke lagt til: {reason}\n"
    "Ingenting er lagret. Sjekk adressen og typen, og prøv igjen med /kilder."
)
KI_ADD_SAVED = (
    "✅ «{name}» er lagt til ({kind}) og hentes hvert {minutes}. minutt. Jeg henter den første gang nå."
)
KI_KIND_RSS = "RSS / Atom"
KI_KIND_RSS_TILSKUDD = "RSS, bare tilskudd og utlysninger"
KI_KIND_FORSKNINGSRADET = "Forskningsrådet"
KI_KIND_STATSFORVALTEREN = "Statsforvalteren"
KI_KIND_STATSFORVALTEREN_TILSKUDD = "Statsforvalteren, tilskuddssiden"
KI_KIND_EU_FT = "EU Funding & Tenders (søke-API)"
KI_KIND_WEB = "En annen nettside (CSS-velgere)"

KI_URL_SCHEME = "Adressen må begynne med http:// eller https://: «{url}». Send en annen, eller skriv /avbryt."
KI_URL_INVALID = "Det ser ikke ut som en nettadresse: «{url}». Send en annen, eller skriv /avbryt."
KI_URL_PRIVATE = (
    "Adressen peker til en intern maskin («{host}»), som boten ikke henter fra. "
    "Send en offentlig adresse, eller skriv /avbryt."
)
KI_URL_DUPLICATE = (
    "Den adressen er allerede en kilde: «{name}». Se /kilder. Send en annen adresse, eller skriv /avbryt."
)
KI_NAME_TOO_LONG = "Navnet kan være høyst {limit} tegn. Prøv et kortere, eller skriv /avbryt."
KI_REASON_TIMEOUT = "kilden svarte ikke i tide"
KI_REASON_NO_HOST = "fant ikke nettstedet (sjekk at adressen er skrevet riktig)"
KI_REASON_NO_CONNECT = "nettstedet tok ikke imot tilkoblingen (det kan være nede)"
