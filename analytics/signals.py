"""What analytics tells its peers (webhooks) about recorded scans.

`scans_recorded` is sent inside the scan-recording batch's transaction (direct insert or
buffered flush), never from the redirect request, with:
- `scans`: the ScanEvents that were stored by this batch (replayed ones are left out),
- `counts`: {code_id: (scan_count before, scan_count after)} for codes whose count changed;
  the code rows are locked for the batch, so each crossing of a count is seen by one batch.
"""

from django.dispatch import Signal

scans_recorded = Signal()
