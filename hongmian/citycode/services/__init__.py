"""Writes of the city code app, one module per purpose: codes (a person's code id, consent,
and issuing the signed payload), keys (rotation, retirement, revocation), terminals, scans
(the online resolve), attributes, anomalies (alerts to the owner unit)."""
