"""The member register: organisations, their contacts, and the member list in and out."""
