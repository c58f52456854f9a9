"""Zone Atlas dashboard (Streamlit UI): server ``server.py``, app ``app.py``, pages in ``app_pages/``."""
