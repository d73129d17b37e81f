"""Every write of the hotline, one module per concern; each name has one home, and callers
import it from the module that defines it (no module re-exports another's functions):

- timeline.py            timeline_add — the order's history, marked public / staff / internal
- intake.py              work_order_intake, work_order_intake_batch (受理, with idempotent
                         retries); their parts:
  intake_validation.py   checking and normalising a request, the caller's records, the address
  intake_numbers.py      order numbers (GZ-YYYYMMDD-NNNNNN): sequence or counter row
  intake_store.py        writing orders with timeline, audit and notices; replays
- lifecycle_dispatch.py  direct answer, dispatch / re-dispatch, 下派, 签收, 退单 and its review,
                         joint meeting
- lifecycle_handling.py  notes, reply, co-handler's reply, extension request and decision,
                         urging and supervision
- lifecycle_closing.py   callback (the centre's, and the caller's own rating), callback review
                         (reopen), merge, archive
- lifecycle_common.py    what the three share: locking, the version check, the transition
- taxonomy.py            categories and the default taxonomy
- catalogue.py           dispatch catalogue versions, rules and dispatch_suggest
- sla.py                 clocks: start, stop, extend, lights, the sweep, recomputation
- imports.py             historical orders from a CSV export

`from hongmian.hotline.services.lifecycle_dispatch import work_order_dispatch`
"""
