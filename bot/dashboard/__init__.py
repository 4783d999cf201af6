"""The dashboard (a Telegram Mini App): the init-data check, the JSON API and the routes serving the page.

docs/dashboard.md is its contract."""
