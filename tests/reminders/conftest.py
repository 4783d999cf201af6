"""The scheduler's jobs send through the real bot: its fixtures come from the bot tests' conftest."""

from tests.bot.conftest import api, app, at_noon, worker

__all__ = ["api", "app", "at_noon", "worker"]
