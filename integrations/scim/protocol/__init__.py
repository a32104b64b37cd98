"""The SCIM 2.0 protocol core: pure Python, no Django, no database (RFC 7643, RFC 7644, Microsoft's dialect).

One job per module:
    errors      ScimError -> the RFC 7644 error object
    paths       attribute paths ("urn:...:User:department", "name.givenName")
    schema      attribute definitions; resolving a path against a resource type
    definitions the User, EnterpriseUser and Group schemas the endpoint serves
    filters     the filter grammar -> a small AST; PATCH paths
    filter_eval evaluating a filter against a resource dict
    values      checking and shaping attribute values
    patch       PATCH applied to a resource dict
    bodies      POST/PUT bodies read into a resource dict
    resources   the "schemas" list; what changed between two versions
    projection  attributes / excludedAttributes
    listing     startIndex / count and the ListResponse
    documents   /ServiceProviderConfig, /ResourceTypes, /Schemas
"""

from .bodies import read_resource
from .errors import ScimError
from .filter_eval import matches
from .filters import parse_filter, parse_path
from .listing import Page, list_response, parse_page
from .patch import PatchResult, apply_patch
from .projection import project

__all__ = [
    "Page",
    "PatchResult",
    "ScimError",
    "apply_patch",
    "list_response",
    "matches",
    "parse_filter",
    "parse_page",
    "parse_path",
    "project",
    "read_resource",
]
