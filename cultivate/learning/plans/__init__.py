"""Personal development plans and supervision: a worker proposes a plan of goals (each linked to a learning
offer, a competence or a career step), their supervisor agrees it or asks for changes; supervision meetings are
recorded with what was agreed and a note private to the two people in the meeting; managers see who is overdue.

Who the supervisor is: `access.py` and docs/adr/0039-development-plans-and-supervision.md. The models live
in `models.py`, imported by `cultivate.learning.models` so that Django registers them with the learning app."""
