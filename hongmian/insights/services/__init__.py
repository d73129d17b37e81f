"""Every write of the insights app, and the reads that need the algorithms, one module per
concern; callers import each name from the module that defines it:

- classifier.py  classifier_train, classifier_register, classifier_activate,
                 classifier_retrain; classifier_feedback_record and the two hooks the
                 hotline calls through its insights_hook (on intake, on an accepted return)
- hotspots.py    hotspots_find, hotspot_scan (the periodic job), hotspot_alert_acknowledge
- duplicates.py  duplicate_candidates (the order page, the console), duplicate_groups,
                 duplicate_scan (the periodic job), duplicate_groups_stored (the board),
                 duplicate_groups_forget (a merge, through the hotline's insights_hook)
- replies.py     reply_check, reply_checks (the board's callback queue)

`from hongmian.insights.services.hotspots import hotspot_scan`
"""
