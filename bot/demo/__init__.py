"""`parley demo`: a scripted session against the built-in Slack stand-in, as a transcript.

No token and no network: the stand-in answers the Web API on loopback, the real app serves
signed requests on loopback, and a temporary SQLite file holds the data. Each scene checks
what it should have done; the demo fails if any check fails. Later features add scenes.

`session.py` drives Parley and keeps the verdicts; the scenes are in `scenes_*.py`, by
topic; `runner.py` lists them in order and plays them (`run_demo`).
"""
