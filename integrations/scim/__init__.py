"""SCIM 2.0 provisioning: Microsoft's Entra provisioning service pushes users and groups to the PBX (issue 19).

`protocol/` is the pure protocol core (RFC 7643/7644 and what Microsoft's provisioning service sends): no Django,
no database. The endpoint, the tokens and the mapping onto extensions build on it.
"""
