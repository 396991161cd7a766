"""E-mail reminders of reporting rounds and the weekly digest of late actions and risk
reviews: who gets what (the rules) and sending it (through portal.mail)."""
