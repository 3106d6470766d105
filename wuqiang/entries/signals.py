"""Signals other apps listen to without the entry machinery knowing them."""

from django.dispatch import Signal

# Sent inside the transaction of an approval or a reopening; kwargs: entry. Receivers must
# defer side effects with transaction.on_commit.
entry_reviewed = Signal()
