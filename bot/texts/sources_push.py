"""Texts of the pushes about a call's own life (issue 12): a planned call that opens, and one
grouped notice when what matters in a call's text changes (amount, who may apply, deadline)."""

CALL_OPENED = "🟢 <b>Utlysningen er åpnet:</b> {title}\n\n{details}"
CALL_CHANGED = "✏️ <b>Utlysningen er endret:</b> {title}\n\n{changes}"
CALL_CHANGE_LINE = "{what}: {new} (før: {old})"
CALL_CHANGE_AMOUNT = "Beløp"
CALL_CHANGE_WHO = "Hvem kan søke"
CALL_CHANGE_DEADLINE = "Frist"
CALL_CHANGE_NOBODY = "ikke oppgitt"
