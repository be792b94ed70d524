"""The marketer's dashboard for codes, groups and brand styles (function views, htmx)."""
