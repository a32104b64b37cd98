"""POST /_emulator/users/bulk: many directory changes in one control call (benchmarks with many changes).

Body: {"operations": [
    {"op": "create", "user": {...user properties, "password"?}},
    {"op": "update", "id": ID_OR_UPN, "changes": {...}},
    {"op": "soft-delete", "id": ...}, {"op": "restore", "id": ...}, {"op": "hard-delete", "id": ...}]}
The whole list is checked first (unknown op, missing id/user/changes, unknown property: 400, nothing applied);
then the operations run in order under the state lock. One that fails at run time (duplicate
userPrincipalName: 400, unknown id: 404) stops the call with that status and its index; the earlier ones stay applied
(`applied` says how many). Answer: {"applied": n, "results": [{"op", "id"}, ...]}.
"""

from emulator.directory import DirectoryError
from emulator.web import json_response

OPS = ("create", "update", "soft-delete", "restore", "hard-delete")


def bulk_users(emu, body, params):
    from emulator import control

    operations = body.get("operations")
    if not isinstance(operations, list):
        raise ValueError('body must be {"operations": [...]}')
    for index, op in enumerate(operations):
        _check(control, index, op)
    results = []
    for index, op in enumerate(operations):
        try:
            results.append({"op": op["op"], "id": _apply(control, emu, op)})
        except (DirectoryError, ValueError, KeyError, TypeError) as exc:
            message = exc.message if isinstance(exc, DirectoryError) else str(exc)
            return json_response(getattr(exc, "status", 400), {
                "error": f"operation {index} ({op['op']}) failed: {message}", "index": index,
                "applied": index, "results": results})
    return {"applied": len(results), "results": results}


def _check(control, index: int, op) -> None:
    if not isinstance(op, dict) or op.get("op") not in OPS:
        raise ValueError(f"operation {index}: op must be one of {', '.join(OPS)}")
    if op["op"] == "create":
        if not isinstance(op.get("user"), dict):
            raise ValueError(f"operation {index}: create needs a \"user\" object")
        control.check_props(op["user"])
        return
    if not isinstance(op.get("id"), str) or not op["id"]:
        raise ValueError(f"operation {index}: {op['op']} needs an \"id\"")
    if op["op"] == "update":
        if not isinstance(op.get("changes"), dict) or not op["changes"]:
            raise ValueError(f"operation {index}: update needs a non-empty \"changes\" object")
        control.check_props(op["changes"])


def _apply(control, emu, op) -> str:
    kind = op["op"]
    if kind == "create":
        return control.create_user(emu, op["user"], {})["id"]
    users = emu.state.users
    if kind == "update":
        return control.update_user(emu, op["changes"], {"user_id": op["id"]})["id"]
    if kind == "restore":
        return users.restore(op["id"])["id"]
    user_id = control.user_record(emu, op["id"])["id"]
    if kind == "soft-delete":
        users.soft_delete(user_id)
    else:
        users.hard_delete(user_id)
    return user_id
