"""HTTP routes served beside Streamlit in the same server (see serve.py): plain Starlette
handlers without a Streamlit script context, so nothing here imports Streamlit."""
