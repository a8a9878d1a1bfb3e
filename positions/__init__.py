"""The domain of Positionen: plain Python services over the database, no Streamlit."""
