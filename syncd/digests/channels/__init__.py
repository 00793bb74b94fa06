"""Notifiers: email (SMTP), Microsoft Teams, Slack and a generic JSON webhook."""

from syncd.digests.channels.base import Delivery, Notifier, build_notifiers

__all__ = ["Delivery", "Notifier", "build_notifiers"]
