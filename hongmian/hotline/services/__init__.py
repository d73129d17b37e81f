"""Every write of the hotline, one module per concern:

- timeline.py   timeline_add — the order's history, marked public / staff / internal
- intake.py     work_order_intake, work_order_intake_batch; their parts in intake_validation.py
                (checking a request, address parsing), intake_numbers.py (GZ-YYYYMMDD-NNNNNN)
                and intake_store.py (writing, idempotent replays)
- lifecycle.py  dispatch, acknowledge, reply, return, extension, supervise, callback (and the
                caller's own rating), reopen, merge, joint meeting, direct answer, archive
- taxonomy.py   categories and the default taxonomy
- catalogue.py  dispatch catalogue versions, rules and dispatch_suggest
- sla.py        clocks: start, stop, extend, lights, the sweep, recomputation

Import from the module (`from hongmian.hotline.services.lifecycle import work_order_dispatch`).
"""
