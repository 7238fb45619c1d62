"""The calendar wing: iCalendar files of deadlines and events."""
