"""Files members and staff upload: the safe Office package reader and text extraction."""
