"""GraphML, GEXF and DOT writers for Gephi, Cytoscape, yEd and Graphviz users.

The writers stream: they take iterables of nodes and edges and write as they go, so a whole
store is never held in memory. None of these formats has a list type, so lists (authors,
categories, aliases) are joined with ``"; "``. Attribute names and types come from
:mod:`kg.schema`; properties the schema does not name are left out.

>>> import io
>>> buf = io.StringIO()
>>> write_dot([("method/dpo", "Method", {"name": 'say "hi"'})], [], buf)
(1, 0)
>>> print(buf.getvalue().splitlines()[2])
  "method/dpo" [label="say \\"hi\\"", type="Method"];
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from typing import Any, TextIO
from xml.sax.saxutils import escape, quoteattr

from kg.schema import EVIDENCE_PROPERTIES, NODE_PROPERTIES, NodeType

__all__ = ["FORMATS", "NODE_KEYS", "EDGE_KEYS", "store_nodes", "store_edges", "write_graphml",
           "write_gexf", "write_dot", "WRITERS"]

Node = tuple[str, str, dict[str, Any]]  # id, type, properties
EdgeRow = tuple[str, str, str, dict[str, Any]]  # source, target, relation, properties

LIST_SEPARATOR = "; "


def _node_keys() -> dict[str, type]:
    keys: dict[str, type] = {"type": str, "name": str}
    for props in NODE_PROPERTIES.values():
        for name, t in props.items():
            if name != "id":
                keys.setdefault(name, t)
    return keys


#: Node attributes written (name -> Python type), the union over every label.
NODE_KEYS: dict[str, type] = _node_keys()
#: Edge attributes written: the relation, its evidence and the derived APPLIED_IN counts.
EDGE_KEYS: dict[str, type] = {"relation": str, **EVIDENCE_PROPERTIES,
                              "paper_count": int, "first_year": int, "last_year": int}
FORMATS = ("graphml", "gexf", "dot")

# characters XML 1.0 cannot hold at all, even escaped
_XML_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _flat(value: Any) -> Any:
    if isinstance(value, (list, tuple)):
        return LIST_SEPARATOR.join(str(v) for v in value)
    return value


def _xml(value: Any) -> str:
    return _XML_BAD.sub("\ufffd", str(value))


def store_nodes(store: Any) -> Iterator[Node]:
    """Every node in ``store``: papers, then entities, with their schema properties."""
    paper_props = NODE_PROPERTIES[NodeType.PAPER]
    for p in store.iter_papers():
        props = {k: getattr(p, k) for k in paper_props if k != "id"}
        props["name"] = p.title
        yield p.id, NodeType.PAPER.value, props
    for e in store.iter_entities():
        yield e["id"], e["type"], {k: v for k, v in e.items() if k not in ("id", "type")}


def store_edges(store: Any) -> Iterator[EdgeRow]:
    """Every edge in ``store``: paper->entity edges with evidence, then entity links."""
    for e in store.iter_edges():
        yield e["source"], e["target"], e["rel"], {k: e[k] for k in EVIDENCE_PROPERTIES}
    for e in store.iter_links():
        yield e["source"], e["target"], e["rel"], {
            k: v for k, v in e.items() if k not in ("source", "target", "rel")}


def _present(props: dict[str, Any], keys: dict[str, type]) -> Iterator[tuple[str, Any]]:
    for k in keys:
        v = props.get(k)
        if v is not None and v != [] and v != ():
            yield k, _flat(v)


_GRAPHML_TYPE = {str: "string", int: "long", float: "double", list: "string"}


def write_graphml(nodes: Iterable[Node], edges: Iterable[EdgeRow], out: TextIO) -> tuple[int, int]:
    """Write GraphML (directed; parallel edges allowed). Returns ``(nodes, edges)`` written."""
    out.write('<?xml version="1.0" encoding="UTF-8"?>\n<graphml xmlns="http://graphml.graphdrawing.org/xmlns"'
              ' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation='
              '"http://graphml.graphdrawing.org/xmlns http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd">\n')
    for k, t in NODE_KEYS.items():
        out.write(f'  <key id="n_{k}" for="node" attr.name="{k}" attr.type="{_GRAPHML_TYPE[t]}"/>\n')
    for k, t in EDGE_KEYS.items():
        out.write(f'  <key id="e_{k}" for="edge" attr.name="{k}" attr.type="{_GRAPHML_TYPE[t]}"/>\n')
    out.write('  <graph id="kg" edgedefault="directed" parse.nodeids="free" parse.edgeids="canonical">\n')
    n = m = 0
    for nid, ntype, props in nodes:
        out.write(f"    <node id={quoteattr(_xml(nid))}>")
        for k, v in _present({**props, "type": ntype}, NODE_KEYS):
            out.write(f'<data key="n_{k}">{escape(_xml(v))}</data>')
        out.write("</node>\n")
        n += 1
    for src, dst, rel, props in edges:
        out.write(f'    <edge id="e{m}" source={quoteattr(_xml(src))} target={quoteattr(_xml(dst))}>')
        for k, v in _present({**props, "relation": rel}, EDGE_KEYS):
            out.write(f'<data key="e_{k}">{escape(_xml(v))}</data>')
        out.write("</edge>\n")
        m += 1
    out.write("  </graph>\n</graphml>\n")
    return n, m


_GEXF_TYPE = {str: "string", int: "long", float: "double", list: "string"}


def write_gexf(nodes: Iterable[Node], edges: Iterable[EdgeRow], out: TextIO) -> tuple[int, int]:
    """Write GEXF 1.2 (Gephi). The node's name is its ``label``, the relation the edge's."""
    out.write('<?xml version="1.0" encoding="UTF-8"?>\n'
              '<gexf xmlns="http://www.gexf.net/1.2draft" version="1.2">\n'
              '  <meta><creator>kg</creator><description>knowledge graph of papers</description></meta>\n'
              '  <graph defaultedgetype="directed" mode="static">\n')
    node_keys = [k for k in NODE_KEYS if k != "name"]
    edge_keys = [k for k in EDGE_KEYS if k != "relation"]
    out.write('    <attributes class="node">\n')
    for k in node_keys:
        out.write(f'      <attribute id="{k}" title="{k}" type="{_GEXF_TYPE[NODE_KEYS[k]]}"/>\n')
    out.write('    </attributes>\n    <attributes class="edge">\n')
    for k in ["relation", *edge_keys]:
        out.write(f'      <attribute id="{k}" title="{k}" type="{_GEXF_TYPE[EDGE_KEYS[k]]}"/>\n')
    out.write("    </attributes>\n    <nodes>\n")
    n = m = 0
    for nid, ntype, props in nodes:
        label = _xml(props.get("name") or nid)
        out.write(f"      <node id={quoteattr(_xml(nid))} label={quoteattr(label)}><attvalues>")
        for k, v in _present({**props, "type": ntype}, {k: NODE_KEYS[k] for k in node_keys}):
            out.write(f'<attvalue for="{k}" value={quoteattr(_xml(v))}/>')
        out.write("</attvalues></node>\n")
        n += 1
    out.write("    </nodes>\n    <edges>\n")
    for src, dst, rel, props in edges:
        out.write(f'      <edge id="{m}" source={quoteattr(_xml(src))} target={quoteattr(_xml(dst))} '
                  f'label={quoteattr(rel)}><attvalues><attvalue for="relation" value={quoteattr(rel)}/>')
        for k, v in _present(props, {k: EDGE_KEYS[k] for k in edge_keys}):
            out.write(f'<attvalue for="{k}" value={quoteattr(_xml(v))}/>')
        out.write("</attvalues></edge>\n")
        m += 1
    out.write("    </edges>\n  </graph>\n</gexf>\n")
    return n, m


def _dot_str(value: Any) -> str:
    # json.dumps escapes quotes, backslashes and newlines the way DOT reads them
    return json.dumps(str(value), ensure_ascii=False)


#: Node attributes DOT files carry (Graphviz draws labels; the rest is for scripts).
DOT_NODE_KEYS = ("type", "year")


def write_dot(nodes: Iterable[Node], edges: Iterable[EdgeRow], out: TextIO) -> tuple[int, int]:
    """Write a Graphviz ``digraph``: nodes labelled by name, edges by relation."""
    out.write("digraph kg {\n  node [shape=box, style=rounded];\n")
    n = m = 0
    for nid, ntype, props in nodes:
        attrs = [f"label={_dot_str(props.get('name') or nid)}", f"type={_dot_str(ntype)}"]
        if props.get("year") is not None:
            attrs.append(f"year={_dot_str(props['year'])}")
        out.write(f"  {_dot_str(nid)} [{', '.join(attrs)}];\n")
        n += 1
    for src, dst, rel, props in edges:
        attrs = [f"label={_dot_str(rel)}"]
        for k in ("count", "confidence", "rule"):
            if props.get(k) is not None:
                attrs.append(f"{k}={_dot_str(props[k])}")
        out.write(f"  {_dot_str(src)} -> {_dot_str(dst)} [{', '.join(attrs)}];\n")
        m += 1
    out.write("}\n")
    return n, m


WRITERS = {"graphml": write_graphml, "gexf": write_gexf, "dot": write_dot}
