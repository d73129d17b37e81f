"""The insights app's screens, all under /hotline/ beside the screens they serve (their URL
names are `insights:…`; config/urls.py mounts urls.py there):

- console.py  the agent console's classifier slot: suggested categories (and units), 采用
- board.py    the board's hot spots, duplicate groups and reply checks (built here, shown by
              the hotline's board through its insights_hook); the hot spot page and
              acknowledging an alert; the order page's duplicate candidates

Every view parses its input, calls a service or a selector and renders; the roles are the
hotline's (the centre, the supervisor).
"""
