"""The who-to-whom network of communications, laid out on the server and drawn as plain SVG by a template.

Agents are nodes on a circle (the agent a page is about in the middle); each communication is an arrow from
sender to addressee, labelled with its medium and date, dashed when only a claim vouches for it. Several
communications between one pair bend apart so that each stays visible. No script and no third-party host.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from .story import Act

WIDTH, HEIGHT = 960, 560
NODE_RADIUS = 7
MAX_NODES = 40


@dataclass
class Node:
    term: object
    x: float
    y: float
    focus: bool = False


@dataclass
class Edge:
    act: object
    path: str
    label: str
    lx: float
    ly: float
    claimed: bool


@dataclass
class Network:
    nodes: list[Node] = field(default_factory=list)
    edges: list[Edge] = field(default_factory=list)
    width: int = WIDTH
    height: int = HEIGHT
    left_out: int = 0


def layout(acts: list[Act], view, focus=None) -> Network | None:
    """A drawing of these acts, named through the page's view. None when no act has both ends."""
    label = view.label
    pairs = [(a, s, t) for a in acts for s in a.senders for t in a.addressees if s != t]
    if not pairs:
        return None
    degree: dict = {}
    for _, s, t in pairs:
        degree[s] = degree.get(s, 0) + 1
        degree[t] = degree.get(t, 0) + 1
    agents = sorted(degree, key=lambda n: (-degree[n], label(n).lower()))
    kept = set(agents[:MAX_NODES])
    if focus is not None and focus in degree:
        kept.add(focus)
    ring = sorted((n for n in kept if n != focus), key=lambda n: label(n).lower())
    cx, cy = WIDTH / 2, HEIGHT / 2
    rx, ry = WIDTH / 2 - 150, HEIGHT / 2 - 50
    places: dict = {}
    net = Network()
    if focus in kept:
        places[focus] = (cx, cy)
        net.nodes.append(Node(focus, cx, cy, True))
    for i, n in enumerate(ring):
        # Half a step off the vertical, so that two agents sit side by side and their arrows run across.
        step = 2 * math.pi / max(1, len(ring))
        angle = -math.pi / 2 + step / 2 + step * i
        places[n] = (cx + rx * math.cos(angle), cy + ry * math.sin(angle))
        net.nodes.append(Node(n, *places[n]))
    seen: dict = {}
    for act, s, t in pairs:
        if s not in places or t not in places:
            net.left_out += 1
            continue
        key = frozenset((s, t))
        k = seen.get(key, 0)
        seen[key] = k + 1
        net.edges.append(_edge(act, places[s], places[t], k, view))
    return net


def _edge(act: Act, start, end, k: int, view) -> Edge:
    (x0, y0), (x1, y1) = start, end
    dx, dy = x1 - x0, y1 - y0
    length = math.hypot(dx, dy) or 1.0
    # Bend alternately to either side, further for each further act between the same two agents.
    bend = (k + 1) // 2 * 46 * (1 if k % 2 else -1) + 16
    nx, ny = -dy / length, dx / length
    cx, cy = (x0 + x1) / 2 + nx * bend, (y0 + y1) / 2 + ny * bend
    # Stop short of the target's circle so that the arrowhead shows.
    ex, ey = x1 - cx, y1 - cy
    el = math.hypot(ex, ey) or 1.0
    tx, ty = x1 - ex / el * (NODE_RADIUS + 3), y1 - ey / el * (NODE_RADIUS + 3)
    path = f"M {x0:.1f} {y0:.1f} Q {cx:.1f} {cy:.1f} {tx:.1f} {ty:.1f}"
    parts = [view.short_label(m) for m in act.media[:1]] or [view.kind_label(act.term) or ""]
    if act.when:
        parts.append(act.when[0].text)
    if act.intermediaries:
        parts.append("via " + view.label(act.intermediaries[0]))
    text = " · ".join(p for p in parts if p)
    if len(text) > 48:
        text = text[:47] + "…"
    # Labels of acts between the same two agents sit at different points along their curves.
    t = (0.5, 0.32, 0.68)[k % 3]
    lx = (1 - t) ** 2 * x0 + 2 * (1 - t) * t * cx + t * t * x1
    ly = (1 - t) ** 2 * y0 + 2 * (1 - t) * t * cy + t * t * y1 + (k // 3) * 12
    return Edge(act.term, path, text, lx, ly, bool(act.vouched_by))
