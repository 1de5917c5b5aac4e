"""One module per screen of the patient's journey; each takes its model(s) and a Binder."""
