"""Zone Atlas dashboard (Streamlit UI): entry ``app.py``, pages in ``pages/``."""
