"""Draw a network kg export --network wrote (GraphML or GEXF) as the README's picture.

    kg export seeds.kg --network citations --out seeds-citations.graphml
    python bench/draw_network.py seeds-citations.graphml docs/network-citations-seeds.png

ForceAtlas2 layout (seeded, so the picture is the same every run); node size by weighted
degree; organizations and regulations more than one organization cites are labelled
(in Noto Sans SC or the font kg viz finds), the others are dots coloured by kind.
"""
from __future__ import annotations

import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import networkx as nx  # noqa: E402

from kg.viz.recurrence import cjk_font  # noqa: E402

COLOURS = {"organization": "#d62728", "law": "#1f77b4", "party_regulation": "#9467bd", "regulation": "#2ca02c",
           "normative_document": "#ff7f0e", "internal_rule": "#8c564b", "committee": "#17becf", "team": "#bcbd22"}
NAMES = {"organization": "单位", "law": "法律", "party_regulation": "党内法规", "regulation": "行政/地方法规",
         "normative_document": "规范性文件", "internal_rule": "内部制度", "committee": "党委", "team": "巡视巡察组"}


def colour_key(attrs: dict) -> str:
    return attrs.get("kind") if attrs.get("type") == "regulation" else attrs.get("type", "")


def draw(path: str, out: str) -> None:
    g = nx.read_gexf(path) if path.endswith(".gexf") else nx.read_graphml(path)
    font = cjk_font()
    strength = dict(g.degree(weight="weight"))
    # ForceAtlas2, the layout Gephi users run first (networkx ≥ 3.4).
    pos = nx.forceatlas2_layout(g, seed=1, max_iter=500, scaling_ratio=4.0, distributed_action=True)
    fig, ax = plt.subplots(figsize=(12, 9), dpi=110)
    widths = [0.6 + 0.8 * w for _, _, w in g.edges(data="weight")]
    nx.draw_networkx_edges(g, pos, ax=ax, width=widths, alpha=0.35, edge_color="#777777", arrows=False)
    nx.draw_networkx_nodes(g, pos, ax=ax, node_size=[40 + 60 * strength[n] for n in g],
                           node_color=[COLOURS.get(colour_key(a), "#999999") for _, a in g.nodes(data=True)],
                           edgecolors="white", linewidths=0.8)
    shown = {n: a["label"] for n, a in g.nodes(data=True)
             if a.get("type") != "regulation" or int(a.get("organizations", 0)) >= 2}
    for n, label in shown.items():
        x, y = pos[n]
        ax.annotate(label, (x, y), xytext=(0, 9), textcoords="offset points", ha="center", fontproperties=font,
                    fontsize=10, bbox={"boxstyle": "round,pad=0.2", "fc": "white", "ec": "none", "alpha": 0.8})
    present = sorted({colour_key(a) for _, a in g.nodes(data=True)}, key=list(COLOURS).index)
    handles = [plt.Line2D([], [], marker="o", ls="", color=COLOURS[k], label=NAMES[k]) for k in present]
    ax.legend(handles=handles, prop=font, loc="lower left", frameon=False)
    name = g.graph.get("name") or path.rsplit("/", 1)[-1]
    ax.set_title(f"{name}: {len(g)} 个节点, {g.number_of_edges()} 条边 (边宽: 引用通报数)", fontproperties=font,
                 fontsize=13)
    ax.axis("off")
    fig.tight_layout()
    fig.savefig(out)


if __name__ == "__main__":
    draw(sys.argv[1], sys.argv[2])
