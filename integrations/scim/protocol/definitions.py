"""The User, EnterpriseUser and Group schemas the endpoint serves: the attributes that map onto a PBX extension.

Chosen from what Microsoft's provisioning service sends by default (its SCIM guide) and what an
extension carries: sign-in name, display and given/family names, job title, work e-mail, work and mobile numbers,
department, employee number and manager; groups become extension groups (display name and members). Characteristics
follow RFC 7643 §4 and §8.7. Entra also sends attributes outside this list (preferredLanguage, addresses, fax
numbers...): the core accepts and keeps them as sent, the schemas do not advertise them.
"""

from __future__ import annotations

from . import urns
from .schema import (
    BOOLEAN,
    COMPLEX,
    DATETIME,
    IMMUTABLE,
    READ_ONLY,
    REFERENCE,
    Attribute,
    ResourceSchema,
    ResourceShape,
)


def _multi_valued_typed(name: str, description: str, value_description: str, types: tuple[str, ...]) -> Attribute:
    return Attribute(
        name,
        type=COMPLEX,
        multi_valued=True,
        description=description,
        sub_attributes=(
            Attribute("value", description=value_description),
            Attribute("type", description="A label indicating the attribute's function.", canonical_values=types),
            Attribute(
                "primary",
                type=BOOLEAN,
                description="Indicates the primary or preferred value; at most one value is primary.",
            ),
        ),
    )


COMMON_ATTRIBUTES = (
    Attribute(
        "id",
        description="Unique identifier for the resource, assigned by the service provider.",
        case_exact=True,
        mutability=READ_ONLY,
        returned="always",
        uniqueness="server",
    ),
    Attribute(
        "externalId",
        description="Identifier of the resource in the provisioning client (Microsoft Entra).",
        case_exact=True,
    ),
    Attribute(
        "meta",
        type=COMPLEX,
        description="Resource metadata.",
        mutability=READ_ONLY,
        sub_attributes=(
            Attribute("resourceType", case_exact=True, mutability=READ_ONLY),
            Attribute("created", type=DATETIME, mutability=READ_ONLY),
            Attribute("lastModified", type=DATETIME, mutability=READ_ONLY),
            Attribute("location", type=REFERENCE, case_exact=True, mutability=READ_ONLY, reference_types=("uri",)),
            Attribute("version", case_exact=True, mutability=READ_ONLY),
        ),
    ),
    Attribute("schemas", multi_valued=True, case_exact=True, mutability=READ_ONLY, returned="always"),
)

USER_SCHEMA = ResourceSchema(
    id=urns.USER,
    name="User",
    description="User Account",
    attributes=(
        Attribute(
            "userName",
            description="Unique identifier for the User, typically the user principal name in Microsoft Entra ID.",
            required=True,
            uniqueness="server",
        ),
        Attribute(
            "name",
            type=COMPLEX,
            description="The components of the user's real name.",
            sub_attributes=(
                Attribute("formatted", description="The full name, formatted for display."),
                Attribute("familyName", description="The family (last) name."),
                Attribute("givenName", description="The given (first) name."),
            ),
        ),
        Attribute("displayName", description="The name of the User, suitable for display; the extension's name."),
        Attribute("title", description="The user's job title."),
        Attribute("active", type=BOOLEAN, description="false disables the user's extension."),
        _multi_valued_typed("emails", "Email addresses for the user.", "Email address.", ("work",)),
        _multi_valued_typed(
            "phoneNumbers",
            "Phone numbers for the user; work and mobile numbers are kept on the extension.",
            "Phone number, as sent.",
            ("work", "mobile"),
        ),
    ),
)

ENTERPRISE_USER_SCHEMA = ResourceSchema(
    id=urns.ENTERPRISE_USER,
    name="EnterpriseUser",
    description="Enterprise User",
    attributes=(
        Attribute("employeeNumber", description="Identifier assigned to a person by the organization."),
        Attribute("department", description="Identifies the name of a department."),
        Attribute(
            "manager",
            type=COMPLEX,
            description="The user's manager.",
            sub_attributes=(
                Attribute("value", description="The id of the manager's SCIM User."),
                Attribute(
                    "$ref", type=REFERENCE, description="The URI of the manager's SCIM User.", reference_types=("User",)
                ),
                Attribute("displayName", description="The manager's displayName.", mutability=READ_ONLY),
            ),
        ),
    ),
)

GROUP_SCHEMA = ResourceSchema(
    id=urns.GROUP,
    name="Group",
    description="Group; becomes an extension group on the PBX.",
    attributes=(
        Attribute(
            "displayName",
            description="A human-readable name for the Group; unique in the organization.",
            required=True,
            uniqueness="server",
        ),
        Attribute(
            "members",
            type=COMPLEX,
            multi_valued=True,
            description="The members of the Group (Users).",
            sub_attributes=(
                Attribute("value", description="The id of the member.", case_exact=True, mutability=IMMUTABLE),
                Attribute(
                    "$ref",
                    type=REFERENCE,
                    description="The URI of the member.",
                    mutability=IMMUTABLE,
                    reference_types=("User", "Group"),
                ),
                Attribute("display", description="The member's display name.", mutability=READ_ONLY),
                Attribute(
                    "type", description="The type of the member.", mutability=IMMUTABLE, canonical_values=("User",)
                ),
            ),
        ),
    ),
)

USER = ResourceShape(
    name="User",
    endpoint="/Users",
    description="User Account; becomes a PBX extension.",
    core=USER_SCHEMA,
    extensions=(ENTERPRISE_USER_SCHEMA,),
    common=COMMON_ATTRIBUTES,
)

GROUP = ResourceShape(
    name="Group",
    endpoint="/Groups",
    description="Group; becomes an extension group.",
    core=GROUP_SCHEMA,
    common=COMMON_ATTRIBUTES,
)

SHAPES = (USER, GROUP)
SCHEMAS = (USER_SCHEMA, ENTERPRISE_USER_SCHEMA, GROUP_SCHEMA)
