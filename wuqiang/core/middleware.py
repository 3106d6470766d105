"""Chinese first: the portal speaks zh-hans unless the user picked English with the switch.

Django's LocaleMiddleware would follow the browser's Accept-Language, so an English-language
browser on a government intranet would open in English. Here only the language cookie set by
the switch (``/i18n/setlang/``) counts; everyone else gets LANGUAGE_CODE.
"""

from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation


class ChineseFirstLocaleMiddleware(LocaleMiddleware):
    def process_request(self, request) -> None:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        supported = {code for code, _name in settings.LANGUAGES}
        translation.activate(chosen if chosen in supported else settings.LANGUAGE_CODE)
        request.LANGUAGE_CODE = translation.get_language()
