"""``netbuilder layers [--json]``: the layer catalog."""

from __future__ import annotations

import json


def register(sub) -> None:
    p = sub.add_parser("layers", help="list the layer catalog",
                       description="List every layer NetBuilder offers, by category.")
    p.add_argument("--json", action="store_true",
                   help="print a JSON list of {type, category, doc, inputs, params}")
    p.set_defaults(func=run)


def run(args) -> int:
    from netbuilder.engine.model.catalog import get_catalog

    catalog = get_catalog()
    if args.json:
        data = []
        for spec in catalog.specs():
            item = spec.to_json()
            data.append({"type": item["type"], "category": item["category"],
                         "doc": item["doc"], "inputs": item["inputs"],
                         "variadic": item["variadic"], "aliases": item["aliases"],
                         "params": item["params"]})
        print(json.dumps(data, indent=1))
        return 0
    for category, specs in catalog.by_category().items():
        print(f"{category} ({len(specs)})")
        for spec in specs:
            print(f"  {spec.type:<32} {spec.doc[:70]}")
    print(f"{len(catalog.layer_types())} layers (Keras {catalog.keras_version})")
    return 0
