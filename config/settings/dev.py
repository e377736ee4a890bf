"""Local development: the defaults from base.py, nothing to configure."""

from config.settings.base import *  # noqa: F403
