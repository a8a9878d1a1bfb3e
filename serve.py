"""Positionen's server: the Streamlit app (app.py) and, in the same server, the routes that
set and clear the session cookie and serve calendar feeds (web/routes.py).

`streamlit run serve.py` finds `app` and serves it with the usual flags; pages run as
before, from app.py.
"""

import streamlit as st

from web.routes import routes

app = st.App("app.py", routes=routes())
