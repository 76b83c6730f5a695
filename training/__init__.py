"""The course's long training runs (``make checkpoints``): each module trains one model
with the course's own code and publishes its weights and record into
``nlpcourse/checkpoints/`` (see :mod:`training.common`)."""
