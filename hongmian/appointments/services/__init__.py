"""Writes of the appointments app: halls.py (closures), slots.py (generation),
booking.py (hold, confirm, cancel, reschedule, no-show, hold release), reminders.py."""
