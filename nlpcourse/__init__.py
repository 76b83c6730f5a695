"""nlpcourse: the helper package of the open NLP deep-learning course.

Each module names the lesson that built it; later lessons import from here rather
than repeating code. See README.md for the layout.
"""

__version__ = "0.1.0"
