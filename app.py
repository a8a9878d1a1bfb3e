"""Positionen: the Streamlit entry point. Page frame, login and navigation; nothing else."""

from pathlib import Path

import streamlit as st

from ui import auth, german, navigation

# Our own icon, sent inline: a ":material/...:" page icon makes every browser fetch the
# favicon from Google's font server.
st.set_page_config(
    page_title="Positionen", page_icon=Path(__file__).with_name("ui") / "favicon.svg", layout="wide"
)
german.apply()
navigation.run(auth.current_actor())
