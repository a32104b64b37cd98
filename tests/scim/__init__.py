"""Tests of the SCIM 2.0 endpoint (issue 19): the protocol core first, no database."""
