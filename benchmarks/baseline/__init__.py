"""The stock Channels chat room, written the way the Channels tutorial teaches it.

Madang's live room is measured against this: an ``AsyncJsonWebsocketConsumer`` that
``group_send``s every message through channels_redis's default ``RedisChannelLayer``,
served by the same Daphne against the same Redis, with nothing stored.
"""
