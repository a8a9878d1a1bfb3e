"""What every feature stands on: the clock, errors, permissions, audit trail, display words,
formatting, settings, accounts, backups, German text and working days.
"""
