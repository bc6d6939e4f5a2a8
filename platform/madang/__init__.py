"""Madang's Django project: settings, ASGI entry point and routing.

It lives in ``platform/madang`` and ``platform/`` is put on ``sys.path`` (by
``manage.py`` and pytest) rather than being a package itself, so Python's own
``platform`` module is never shadowed.
"""
