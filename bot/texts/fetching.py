"""Why a source could not be read, as coordinators see it (health, /kilder, the failing notice).

The operator's log keeps the technical detail; these are the sentences people read.
"""

__all__ = [
    "SOURCE_REASON_BUDGET",
    "SOURCE_REASON_CRASHED",
    "SOURCE_REASON_NETWORK",
    "SOURCE_REASON_NO_CONNECT",
    "SOURCE_REASON_NO_HOST",
    "SOURCE_REASON_PARSE_TIMEOUT",
    "SOURCE_REASON_PRIVATE",
    "SOURCE_REASON_SAVE_FAILED",
    "fetch_reason",
]

SOURCE_REASON_BUDGET = (
    "Kilden ble ikke ferdig lest på {seconds} sekunder (listen og utlysningssidene til sammen), "
    "så den ble stoppet. Boten prøver igjen senere."
)
SOURCE_REASON_PRIVATE = (
    "Adressen {host} peker til en privat eller lokal adresse, og dit henter ikke boten noe."
)
SOURCE_REASON_PARSE_TIMEOUT = (
    "Siden tok for lang tid å lese, så den ble hoppet over. Boten prøver igjen senere."
)
SOURCE_REASON_CRASHED = "Kilden kunne ikke leses på grunn av en feil i boten. Driftsloggen har detaljene."
SOURCE_REASON_SAVE_FAILED = "Det som ble hentet, kunne ikke lagres. Driftsloggen har detaljene."

_BY_CODE = {
    "private_address": SOURCE_REASON_PRIVATE,
    "parse_timeout": SOURCE_REASON_PARSE_TIMEOUT,
}


SOURCE_REASON_NO_HOST = "Fant ikke nettstedet. Sjekk at adressen er skrevet riktig."
SOURCE_REASON_NO_CONNECT = (
    "Nettstedet tok ikke imot tilkoblingen. Det kan være nede; boten prøver igjen senere."
)
SOURCE_REASON_NETWORK = "Nettstedet kunne ikke nås på grunn av en nettverksfeil. Boten prøver igjen senere."
_NO_HOST = ("name or service not known", "temporary failure in name resolution", "nodename nor servname",
            "no address associated", "getaddrinfo failed", "refused to look up")  # fmt: skip
_NO_CONNECT = ("connection refused", "connect call failed", "all connection attempts failed")


def fetch_reason(error: Exception) -> str:
    """The sentence for a failed fetch: a known kind of failure in these words, else its own reason."""
    code = str(getattr(error, "code", "") or "")
    if code == "network":
        technical = str(getattr(error, "reason", "") or error).lower()
        if any(marker in technical for marker in _NO_HOST):
            return SOURCE_REASON_NO_HOST
        if any(marker in technical for marker in _NO_CONNECT):
            return SOURCE_REASON_NO_CONNECT
        return SOURCE_REASON_NETWORK
    template = _BY_CODE.get(code)
    if template is not None:
        return template.format(host=getattr(error, "host", "") or "")
    return str(getattr(error, "reason", None) or error)
