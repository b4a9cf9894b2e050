"""Discord's command list in the moderator's and the child's own Discord language.

Discord shows each person the name and description of a command in their client's
language when the published command carries ``name_localizations`` and
``description_localizations``. The texts come from the ``commands:`` section of the core's
catalogs, through discord.py's :class:`~discord.app_commands.Translator`, so the list
speaks the same six languages as the nudges. Slash command names (``/safety status``,
``/safety mode``) and the modes ``observe`` and ``live`` stay as typed; only the message
menu "Check this message" gets a name per language (menu names may hold spaces).
"""

from __future__ import annotations

from discord.app_commands import TranslationContextTypes, locale_str

from discord import Locale, app_commands
from nudgeguard import DEFAULT_LOCALE, catalog, supported


def command_text(key: str) -> locale_str:
    """Return a command text: English by default, translated per Discord language.

    Args:
        key: The text's key in the catalogs' ``commands:`` section.
    """
    return locale_str(catalog(DEFAULT_LOCALE).text("commands", key), key=key)


class CatalogTranslator(app_commands.Translator):
    """Translate the texts made by :func:`command_text` from the nudge catalogs."""

    async def translate(
        self, string: locale_str, locale: Locale, context: TranslationContextTypes
    ) -> str | None:
        """Return the text in ``locale``'s catalog; None (Discord shows English) else."""
        key = string.extras.get("key")
        lang = supported(locale.value)
        if not isinstance(key, str) or lang is None or lang == DEFAULT_LOCALE:
            return None
        return catalog(lang).text("commands", key)
