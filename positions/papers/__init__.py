"""Position papers: sections and paragraphs with their sources, versions, the workflow, member
review, board approval, the Synopse and the Lobbyregister.
"""
