"""docs/api.md's reference section, written from the generated OpenAPI document."""

from __future__ import annotations

from pathlib import Path
from typing import Any

START = "<!-- generated from /api/openapi.json by `manage.py api_reference --write`: -->"
END = "<!-- end of the generated reference -->"


def _type(schema: dict[str, Any], components: dict[str, Any]) -> str:
    if "$ref" in schema:
        return schema["$ref"].rsplit("/", 1)[-1]
    if "anyOf" in schema:
        kinds = [_type(s, components) for s in schema["anyOf"] if s.get("type") != "null"]
        return " or ".join(kinds) + (" or null" if len(kinds) < len(schema["anyOf"]) else "")
    if "enum" in schema:
        return ", ".join(f"`{v}`" for v in schema["enum"])
    kind = schema.get("type", "object")
    if kind == "array":
        return f"[{_type(schema.get('items', {}), components)}]"
    fmt = schema.get("format")
    return f"{kind} ({fmt})" if fmt else str(kind)


def reference(document: dict[str, Any]) -> str:
    """Markdown: every operation with its parameters, body and answers; then the shapes."""
    components = document.get("components", {}).get("schemas", {})
    lines = [START, ""]
    for path, operations in document["paths"].items():
        for method, op in operations.items():
            lines.append(f"### `{method.upper()} {path}`")
            lines.append("")
            summary = (op.get("description") or op.get("summary") or "").strip()
            if summary:
                lines += [" ".join(summary.split()), ""]
            params = op.get("parameters", [])
            if params:
                lines += ["| 매개변수 / parameter | in | type | 설명 |", "|---|---|---|---|"]
                for p in params:
                    schema = p.get("schema", {})
                    desc = p.get("description") or schema.get("description") or ""
                    default = schema.get("default")
                    if default is not None:
                        desc = f"{desc} (default {default})".strip()
                    lines.append(
                        f"| `{p['name']}` | {p['in']} | {_type(schema, components)} | {desc} |"
                    )
                lines.append("")
            body = op.get("requestBody", {}).get("content", {}).get("application/json")
            if body:
                lines += [f"Body: `{_type(body['schema'], components)}`", ""]
            answers = []
            for status, answer in op.get("responses", {}).items():
                schema = answer.get("content", {}).get("application/json", {}).get("schema", {})
                answers.append(f"`{status}` {_type(schema, components) if schema else ''}".strip())
            lines += ["Answers: " + ", ".join(answers), ""]
    lines += ["### Shapes", ""]
    for name, schema in components.items():
        props = schema.get("properties", {})
        if not props:
            continue
        required = set(schema.get("required", []))
        fields = ", ".join(
            f"`{key}`{'' if key in required else '?'}: {_type(value, components)}"
            for key, value in props.items()
        )
        lines += [f"- **{name}**: {fields}"]
    lines += ["", END]
    return "\n".join(lines) + "\n"


def rewrite(doc_path: Path, document: dict[str, Any]) -> str:
    """docs/api.md with its reference section replaced by the generated one."""
    text = doc_path.read_text(encoding="utf-8")
    head, _, rest = text.partition(START)
    _, _, tail = rest.partition(END)
    return head + reference(document).rstrip("\n") + tail
