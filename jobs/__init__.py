"""Scheduler, reminder rules and e-mail sending."""
