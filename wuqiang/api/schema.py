"""How the OpenAPI schema describes the portal's two ways to authenticate."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class TokenScheme(OpenApiAuthenticationExtension):
    target_class = "wuqiang.api.authentication.TokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer",
                "description": "A personal access token made in the portal (Account menu → API tokens)."}


class SessionScheme(OpenApiAuthenticationExtension):
    target_class = "wuqiang.api.authentication.PortalSessionAuthentication"
    name = "sessionAuth"

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "cookie", "name": "sessionid",
                "description": "The portal's session (browser); unsafe methods need the CSRF token."}
