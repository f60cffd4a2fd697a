"""The connection settings tap-eloqua and target-eloqua both take (login, auth, HTTP, budget)."""

from __future__ import annotations

from singer_sdk import typing as th

CONNECTION = th.PropertiesList(
    th.Property("login_url", th.StringType, default="https://login.eloqua.com",
                description="Eloqua login host; GET {login_url}/id finds the instance's base URL."),
    th.Property("base_url", th.StringType,
                description="The instance's base URL (e.g. https://secure.p03.eloqua.com); "
                            "set it to skip discovery through /id."),
    th.Property("site_name", th.StringType,
                description="Basic auth: the company (site) name you log in with."),
    th.Property("username", th.StringType, description="Basic auth: the API user's name."),
    th.Property("password", th.StringType, secret=True,
                description="Basic auth (or the OAuth password grant): the password."),
    th.Property("client_id", th.StringType,
                description="OAuth: the AppCloud app's client id. With refresh_token it uses "
                            "the refresh-token grant; without one, but with site_name, username "
                            "and password, the password grant."),
    th.Property("client_secret", th.StringType, secret=True,
                description="OAuth: the AppCloud app's client secret."),
    th.Property("refresh_token", th.StringType, secret=True,
                description="OAuth: a refresh token. Eloqua rotates it on every use; the newest "
                            "is kept in token_store_path, so this value is only read once."),
    th.Property("redirect_uri", th.StringType,
                description="OAuth: the app's redirect URI, sent with token refreshes if set."),
    th.Property("token_store_path", th.StringType,
                description="OAuth: file (mode 0600) that keeps the rotating refresh token and "
                            "the current access token between runs; processes sharing it ask "
                            "Eloqua for one token between them. Default: ~/.local/state/"
                            "eloqua-singer/oauth-<client>.json (password grant: "
                            "oauth-password-<client+user>.json)."),
    th.Property("request_timeout", th.IntegerType, default=300,
                description="Seconds to wait for one HTTP answer."),
    th.Property("max_retries", th.IntegerType, default=8,
                description="Attempts per HTTP call on 429, 5xx, timeouts and connection "
                            "errors, with exponential backoff and jitter."),
    th.Property("user_agent", th.StringType, description="User-Agent header to send."),
    th.Property("max_syncs_per_hour", th.IntegerType, default=2000,
                description="Syncs of each kind (export, import) this process starts per hour "
                            "at most; Eloqua's soft cap is 2000 per instance, so give jobs that "
                            "run at the same time a share each. A sync over it waits."),
)
