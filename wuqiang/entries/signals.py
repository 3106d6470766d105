"""Signals other apps listen to without the entry machinery knowing them."""

from django.dispatch import Signal

# Sent after an approval or a reopening is committed; kwargs: entry.
entry_reviewed = Signal()
