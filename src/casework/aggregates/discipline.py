"""The professions that work on a case: every record carries the one it was written in."""

from enum import StrEnum


class Discipline(StrEnum):
    SOCIAL_WORK = "social_work"
    LAW = "law"
    PSYCHOLOGY = "psychology"
    MEDICINE = "medicine"
    EDUCATION = "education"
    OTHER = "other"
