"""Extension groups mirror directory groups (name and members), set-based: the Entra groups chosen in the Specific
Groups scope (Graph pull, the whole set at once) and the Groups Microsoft Entra provisioning pushes (one at a time)."""

from __future__ import annotations

from extensions.models import Extension, ExtensionGroup


def sync_extension_groups(organization, names: dict[str, str], members: dict[str, list[str]], now) -> None:
    groups = {str(g.entra_group_id): g for g in ExtensionGroup.objects.filter(organization=organization,
                                                                               entra_group_id__isnull=False)}
    # Groups no longer chosen stop being synced groups.
    ExtensionGroup.objects.filter(organization=organization, entra_group_id__isnull=False) \
        .exclude(entra_group_id__in=list(names)).delete()
    extension_ids = _extension_ids(organization, {oid for ids in members.values() for oid in ids})
    for group_id, name in names.items():
        _mirror(organization, groups.get(group_id), group_id, name, members[group_id], extension_ids, now)


def mirror_extension_group(organization, group_id: str, name: str, member_ids: list[str], now) -> ExtensionGroup:
    """One directory group -> its extension group (created when missing): name and members."""
    group = ExtensionGroup.objects.filter(organization=organization, entra_group_id=group_id).first()
    return _mirror(organization, group, group_id, name, member_ids, _extension_ids(organization, set(member_ids)),
                   now)


def remove_synced_groups(organization) -> list[str]:
    """The scope is no longer "Specific groups": the extension groups it mirrored go (the extensions stay)."""
    synced = ExtensionGroup.objects.filter(organization=organization, entra_group_id__isnull=False)
    names = list(synced.values_list("name", flat=True))
    if names:
        synced.delete()
    return names


def remove_extension_group(organization, group_id: str) -> int:
    """The directory group is gone: its extension group goes (the extensions themselves stay)."""
    deleted, _ = ExtensionGroup.objects.filter(organization=organization, entra_group_id=group_id).delete()
    return deleted


def _extension_ids(organization, object_ids: set[str]) -> dict[str, int]:
    if not object_ids:
        return {}
    rows = Extension.objects.filter(organization=organization, source=Extension.Source.ENTRA,
                                    entra_object_id__in=object_ids).values_list("entra_object_id", "pk")
    return {str(oid): pk for oid, pk in rows}


def _mirror(organization, group, group_id: str, name: str, member_ids: list[str], extension_ids: dict[str, int],
            now) -> ExtensionGroup:
    through = ExtensionGroup.members.through
    if group is None:
        group = ExtensionGroup.objects.create(organization=organization, entra_group_id=group_id, name=name,
                                              last_synced_at=now)
    else:
        ExtensionGroup.objects.filter(pk=group.pk).update(name=name, last_synced_at=now)
    wanted = {extension_ids[oid] for oid in member_ids if oid in extension_ids}
    current = set(through.objects.filter(extensiongroup_id=group.pk).values_list("extension_id", flat=True))
    if current - wanted:
        through.objects.filter(extensiongroup_id=group.pk, extension_id__in=current - wanted).delete()
    if wanted - current:
        through.objects.bulk_create([through(extensiongroup_id=group.pk, extension_id=pk)
                                     for pk in wanted - current], ignore_conflicts=True)
    return group
