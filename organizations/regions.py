"""The regions an organization can read phone numbers in (its default region): what phonenumbers supports,
named in English, with their calling codes."""

from functools import cache

import phonenumbers
from phonenumbers import geocoder


@cache
def region_choices() -> list[tuple[str, str]]:
    choices = []
    for region in phonenumbers.SUPPORTED_REGIONS:
        example = phonenumbers.example_number(region)
        name = (geocoder.country_name_for_number(example, "en") if example else "") or region
        choices.append((region, f"{name} ({region}, +{phonenumbers.country_code_for_region(region)})"))
    return sorted(choices, key=lambda choice: choice[1].casefold())
