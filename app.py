"""Positionen: the Streamlit entry point. Page frame, login and navigation; nothing else."""

import streamlit as st

from ui import auth, navigation

st.set_page_config(page_title="Positionen", page_icon=":material/description:", layout="wide")
navigation.run(auth.current_actor())
