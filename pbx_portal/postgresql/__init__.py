"""Django's PostgreSQL backend with every round trip bounded (see base.py); ENGINE = "pbx_portal.postgresql"."""
