"""Forms of the hotline's screens, one module per screen: common.py (the base form, pickers,
cleaners), attachments.py, console.py, inbox.py (the handling unit's acts), board.py (the
supervisor's), citizen.py and signoff.py. They check the shape of the input only; every rule
about the order itself (who may, when, which transition) is the services' to enforce, and
their errors are put back on the form by the views."""
