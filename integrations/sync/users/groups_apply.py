"""Extension groups mirror the Entra groups chosen in the Specific Groups scope (name and members), set-based."""

from __future__ import annotations

from extensions.models import Extension, ExtensionGroup


def sync_extension_groups(organization, names: dict[str, str], members: dict[str, list[str]], now) -> None:
    groups = {str(g.entra_group_id): g for g in ExtensionGroup.objects.filter(organization=organization,
                                                                               entra_group_id__isnull=False)}
    # Groups no longer chosen stop being synced groups.
    ExtensionGroup.objects.filter(organization=organization, entra_group_id__isnull=False) \
        .exclude(entra_group_id__in=list(names)).delete()
    extension_ids = dict(Extension.objects.filter(organization=organization, source=Extension.Source.ENTRA,
                                                  entra_object_id__in={oid for ids in members.values() for oid in ids})
                         .values_list("entra_object_id", "pk"))
    extension_ids = {str(oid): pk for oid, pk in extension_ids.items()}
    through = ExtensionGroup.members.through
    for group_id, name in names.items():
        group = groups.get(group_id)
        if group is None:
            group = ExtensionGroup.objects.create(organization=organization, entra_group_id=group_id, name=name,
                                                  last_synced_at=now)
        else:
            ExtensionGroup.objects.filter(pk=group.pk).update(name=name, last_synced_at=now)
        wanted = {extension_ids[oid] for oid in members[group_id] if oid in extension_ids}
        current = set(through.objects.filter(extensiongroup_id=group.pk).values_list("extension_id", flat=True))
        if current - wanted:
            through.objects.filter(extensiongroup_id=group.pk, extension_id__in=current - wanted).delete()
        if wanted - current:
            through.objects.bulk_create([through(extensiongroup_id=group.pk, extension_id=pk)
                                         for pk in wanted - current], ignore_conflicts=True)
