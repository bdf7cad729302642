#!/usr/bin/env python3
"""Print NiFi components' reference, as Markdown, from the NARs' extension manifests.

    python3 manifest_doc.py MANIFEST_DIR [SimpleName ...]

MANIFEST_DIR holds META-INF/docs/extension-manifest.xml of each NAR (install.sh writes them to
$CACHE/nifi-<v>/manifests/<nar>.xml). For each component (simple class name, e.g. PublishKafka;
default: every component in the manifests) it prints the type, the bundle coordinates, the
properties (the property *name* is the key of a flow definition's "properties" map; the display
name is what the UI shows), the allowable values, the relationships, the provided service APIs
and the dynamic properties. Only the standard library is used.
"""

from __future__ import annotations

import sys
import xml.etree.ElementTree as ET
from pathlib import Path


def text(el: ET.Element | None, tag: str, default: str = "") -> str:
    if el is None:
        return default
    found = el.find(tag)
    return (found.text or "").strip() if found is not None and found.text else default


def one_line(s: str, limit: int = 220) -> str:
    s = " ".join(s.split())
    return s if len(s) <= limit else s[: limit - 1] + "…"


def load(manifest_dir: Path) -> list[tuple[dict[str, str], ET.Element]]:
    components = []
    for path in sorted(manifest_dir.glob("*.xml")):
        root = ET.parse(path).getroot()
        bundle = {
            "group": text(root, "groupId"),
            "artifact": text(root, "artifactId"),
            "version": text(root, "version"),
            "parent": text(root.find("parentNar"), "artifactId"),
        }
        for ext in root.iter("extension"):
            components.append((bundle, ext))
    return components


def render(bundle: dict[str, str], ext: ET.Element) -> str:
    name = text(ext, "name")
    out = [f"### {name.rsplit('.', 1)[-1]}", ""]
    out.append(f"- type: `{name}` ({text(ext, 'type')})")
    out.append(
        f'- bundle: `{{"group": "{bundle["group"]}", "artifact": "{bundle["artifact"]}", '
        f'"version": "{bundle["version"]}"}}` (parent NAR: {bundle["parent"] or "none"})'
    )
    deprecated = ext.find("deprecationNotice")
    if deprecated is not None:
        out.append(f"- **deprecated**: {one_line(text(deprecated, 'reason'))}")
    apis = [
        f"`{text(api, 'className')}` ({text(api, 'artifactId')})"
        for api in ext.iter("providedServiceAPI")
    ]
    if apis:
        out.append(f"- provides: {', '.join(apis)}")
    stateful = ext.find("stateful")
    if stateful is not None:
        scopes = ", ".join(s.text or "" for s in stateful.iter("scope"))
        out.append(f"- stateful ({scopes}): {one_line(text(stateful, 'description'))}")
    if text(ext, "triggerSerially") == "true":
        out.append("- runs serially (one concurrent task)")
    if text(ext, "inputRequirement"):
        out.append(f"- input: {text(ext, 'inputRequirement')}")
    out.append(f"- {one_line(text(ext, 'description'), 400)}")
    out.append("")

    props = ext.find("properties")
    if props is not None and len(props):
        out.append(
            "Properties (name = the flow JSON key; display name in parentheses when it differs):"
        )
        out.append("")
        for p in props.findall("property"):
            name, display = text(p, "name"), text(p, "displayName")
            facts = []
            if text(p, "required") == "true":
                facts.append("required")
            if text(p, "sensitive") == "true":
                facts.append("**sensitive**")
            if text(p, "defaultValue"):
                facts.append(f"default `{text(p, 'defaultValue')}`")
            allowed = [
                f"`{text(a, 'value')}`"
                + (
                    f" ({text(a, 'displayName')})"
                    if text(a, "displayName") != text(a, "value")
                    else ""
                )
                for a in p.iter("allowableValue")
            ]
            if allowed:
                facts.append("one of " + ", ".join(allowed))
            service = p.find("controllerServiceDefinition")
            if service is not None:
                facts.append(
                    f"controller service `{text(service, 'className').rsplit('.', 1)[-1]}`"
                )
            scope = text(p, "expressionLanguageScope")
            if scope and scope != "NONE":
                facts.append(f"EL: {scope}")
            deps = []
            for dep in p.iter("dependency"):
                values = [v.text or "" for v in dep.iter("dependentValue")]
                deps.append(
                    f"`{text(dep, 'propertyName')}`"
                    + (f" in {{{', '.join(values)}}}" if values else " is set")
                )
            if deps:
                facts.append("only when " + " and ".join(deps))
            if text(p, "dynamicallyModifiesClasspath") == "true":
                facts.append("adds to the classpath")
            label = f"`{name}`" + (f" ({display})" if display != name else "")
            out.append(f"- {label}" + (f": {'; '.join(facts)}" if facts else ""))
        out.append("")

    dyn = [
        f"`{one_line(text(d, 'name'), 80)}` → {one_line(text(d, 'value'), 120)}"
        for d in ext.iter("dynamicProperty")
    ]
    if dyn:
        out.append(f"Dynamic properties: {'; '.join(dyn)}")
        out.append("")
    rels = [
        f"`{text(r, 'name')}` ({one_line(text(r, 'description'), 120)})"
        for r in ext.find("relationships") or []
    ]
    if rels:
        out.append(f"Relationships: {'; '.join(rels)}")
        out.append("")
    if ext.find("dynamicRelationship") is not None:
        d = ext.find("dynamicRelationship")
        out.append(
            f"Dynamic relationships: {text(d, 'name')}: {one_line(text(d, 'description'))}"
        )
        out.append("")
    return "\n".join(out)


def main(argv: list[str]) -> int:
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    components = load(Path(argv[1]))
    wanted = argv[2:]
    by_simple = {
        ext_name.rsplit(".", 1)[-1]: (b, e)
        for b, e in components
        for ext_name in [text(e, "name")]
    }
    if not wanted:
        wanted = sorted(by_simple)
    missing = [w for w in wanted if w not in by_simple]
    for w in wanted:
        if w in by_simple:
            print(render(*by_simple[w]))
    if missing:
        print(f"not in the manifests: {', '.join(missing)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
