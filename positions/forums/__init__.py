"""The forums we sit in: meetings, documents, calls for input, invitations, mail, calendars and the
deadline dashboard.
"""
