"""`rollout report SITE`: one self-contained HTML file (and its JSON) a manager can sign.

Reads what the proofs stored in ``var/proof/<site>/`` (verify.json, qos-proof.json, soak.sqlite)
and draws the soak plots as inline SVG (no scripts, no external files).
"""

from __future__ import annotations

import html
import json
import subprocess
import time
from pathlib import Path
from typing import Any

from rollout.inventory.loader import Inventory
from rollout.netlab import soak

PLOTS = (
    ("delay_ms", "one-way delay (ms)", "one_way_delay_ms"),
    ("jitter_ms", "jitter (ms)", "jitter_ms"),
    ("loss_percent", "loss (%)", "loss_percent"),
    ("mos", "MOS", "mos_min"),
)
COLOURS = {
    "EF": "#c0392b",
    "AF41": "#2471a3",
    "CS3": "#7d3c98",
    "default": "#7f8c8d",
    "cloud": "#229954",
}
LIMIT_STROKE = 'stroke="#e67e22" stroke-dasharray="5,3"'
"""How a threshold is drawn, on the plot and in its legend."""
SHADES = ("#eaf2f8", "#fef9e7", "#fdedec", "#f4ecf7", "#e8f8f5", "#fbeee6")


def proof_dir(root: Path, slug: str) -> Path:
    return root / "var" / "proof" / slug


def _read(path: Path) -> dict[str, Any] | None:
    if not path.is_file():
        return None
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def config_version(root: Path) -> str:
    proc = subprocess.run(
        ["git", "-C", str(root), "describe", "--always", "--dirty", "--tags"],
        capture_output=True,
        text=True,
        check=False,
    )
    return proc.stdout.strip() or "unknown (not a git checkout)"


def svg_plot(rows: list[dict[str, Any]], metric: str, title: str, limit: float | None) -> str:
    width, height, left, bottom = 760, 220, 50, 30
    if not rows:
        return (
            f'<svg class="plot" width="{width}" height="40">'
            f'<text x="10" y="25">{title}: no samples</text></svg>'
        )
    xs = [r["offset_s"] for r in rows]
    x0, x1 = min(xs), max(xs) or 1.0
    values = [r[metric] for r in rows if r[metric] is not None]
    top = max([*values, limit or 0, 1e-9]) * 1.1
    if metric == "mos":
        top = 5.0

    def px(x: float) -> float:
        return float(left + (x - x0) / max(x1 - x0, 1e-9) * (width - left - 10))

    def py(y: float) -> float:
        return float(height - bottom - y / top * (height - bottom - 20))

    parts = [
        f'<svg class="plot" xmlns="http://www.w3.org/2000/svg" width="{width}" '
        f'height="{height}" role="img" aria-label="{html.escape(title)}">'
    ]
    # profile shading
    spans: list[tuple[str, float, float]] = []
    for r in rows:
        if spans and spans[-1][0] == r["profile"]:
            spans[-1] = (r["profile"], spans[-1][1], r["offset_s"])
        else:
            spans.append((r["profile"], r["offset_s"], r["offset_s"]))
    spans = [
        (n, a, spans[k + 1][1] if k + 1 < len(spans) else b) for k, (n, a, b) in enumerate(spans)
    ]
    names = sorted({s[0] for s in spans})
    for name, a, b in spans:
        shade = SHADES[names.index(name) % len(SHADES)]
        parts.append(
            f'<rect class="profile" x="{px(a):.1f}" y="10" width="{max(px(b) - px(a), 2):.1f}" '
            f'height="{height - bottom - 10}" fill="{shade}">'
            f"<title>{html.escape(name)}</title></rect>"
        )
        parts.append(f'<text x="{px(a) + 3:.1f}" y="22" font-size="10">{html.escape(name)}</text>')
    parts.append(
        f'<line x1="{left}" y1="{height - bottom}" x2="{width - 10}" '
        f'y2="{height - bottom}" stroke="#333"/>'
    )
    parts.append(f'<line x1="{left}" y1="10" x2="{left}" y2="{height - bottom}" stroke="#333"/>')
    parts.append(f'<text x="{left - 5}" y="18" font-size="10" text-anchor="end">{top:.3g}</text>')
    parts.append(
        f'<text x="{left - 5}" y="{height - bottom}" font-size="10" text-anchor="end">0</text>'
    )
    parts.append(
        f'<text x="{width - 10}" y="{height - 8}" font-size="10" '
        f'text-anchor="end">{x1 / 60:.1f} min</text>'
    )
    if limit is not None:
        parts.append(
            f'<line class="limit" x1="{left}" y1="{py(limit):.1f}" x2="{width - 10}" '
            f'y2="{py(limit):.1f}" {LIMIT_STROKE}/>'
        )
    classes = sorted({r["class"] for r in rows})
    for cls in classes:
        pts = " ".join(
            f"{px(r['offset_s']):.1f},{py(r[metric] or 0):.1f}" for r in rows if r["class"] == cls
        )
        parts.append(
            f'<polyline class="series" fill="none" stroke="{COLOURS.get(cls, "#000")}" '
            f'stroke-width="1.5" points="{pts}"><title>{cls}</title></polyline>'
        )
    parts.append(
        f'<text x="{left + 5}" y="{height - 8}" font-size="11">{html.escape(title)}</text>'
    )
    parts.append(_legend(classes, limit is not None, x=left + 170, y=height - 8))
    parts.append("</svg>")
    return "".join(parts)


def _legend(classes: list[str], limit: bool, *, x: float, y: float) -> str:
    """Which line is which class, and the threshold line, in one row under the plot."""
    keys = [(f'stroke="{COLOURS.get(c, "#000")}" stroke-width="2"', c) for c in classes]
    if limit:
        keys.append((LIMIT_STROKE, "threshold"))
    parts = ['<g class="legend" font-size="10">']
    for stroke, label in keys:
        parts.append(
            f'<line x1="{x:.0f}" y1="{y - 3:.0f}" x2="{x + 14:.0f}" y2="{y - 3:.0f}" {stroke}/>'
            f'<text x="{x + 17:.0f}" y="{y:.0f}">{html.escape(label)}</text>'
        )
        x += 24 + 7 * len(label)
    parts.append("</g>")
    return "".join(parts)


def build(inv: Inventory, slug: str) -> dict[str, Any]:
    folder = proof_dir(inv.root, slug)
    site = inv.sites[slug]
    verify = _read(folder / "verify.json")
    proof = _read(folder / "qos-proof.json")
    db = folder / "soak.sqlite"
    soak_id = soak.latest(db, slug)
    soak_summary = soak.summary(db, soak_id) if soak_id is not None else None
    criteria = [
        (
            "conference paths verified (SIP call, RTP, cloud flow, classes)",
            None if verify is None else bool(verify["ok"]),
        ),
        (
            "QoS proof: conference classes within thresholds under 3x overload, "
            "failing without QoS",
            None if proof is None else bool(proof["ok"]),
        ),
        (
            "soak: conference classes without threshold breach",
            None
            if soak_summary is None
            else not any(
                g["breaches"] for g in soak_summary["by_profile"] if g["class"] != "default"
            ),
        ),
    ]
    return {
        "site": {
            "slug": slug,
            "name": site.name,
            "code": site.code,
            "level": site.level.value,
            "wan_rate_kbps": site.wan.rate_kbps,
            "provider": site.wan.provider,
        },
        "config_version": config_version(inv.root),
        "generated": time.strftime("%Y-%m-%d %H:%M:%S %z"),
        "thresholds": inv.province.thresholds.model_dump(),
        "verify": verify,
        "qos_proof": proof,
        "soak": soak_summary,
        "soak_samples": soak.samples(db, soak_id) if soak_id is not None else [],
        "criteria": [{"criterion": c, "passed": p} for c, p in criteria],
        "verdict": all(p is True for _, p in criteria),
    }


def _verdict(p: bool | None) -> str:
    if p is None:
        return '<td class="missing">not run</td>'
    return '<td class="pass">PASS</td>' if p else '<td class="fail">FAIL</td>'


def _table(head: list[str], rows: list[list[Any]]) -> str:
    out = ["<table><tr>", *[f"<th>{html.escape(h)}</th>" for h in head], "</tr>"]
    for row in rows:
        out.append("<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in row) + "</tr>")
    out.append("</table>")
    return "".join(out)


def render_html(data: dict[str, Any]) -> str:
    s, t = data["site"], data["thresholds"]
    e = html.escape
    body = [
        f"<h1>Acceptance report: {e(s['name'])} ({e(s['slug'])})</h1>",
        f"<p>Code {e(s['code'])}, {e(s['level'])}; WAN {e(s['provider'])} "
        f"{s['wan_rate_kbps']} kbit/s. Configuration version "
        f"<code>{e(data['config_version'])}</code>. "
        f"Generated {e(data['generated'])}.</p>",
        f"<p>Thresholds: one-way delay ≤ {t['one_way_delay_ms']} ms, jitter ≤ {t['jitter_ms']} ms, "
        f"loss ≤ {t['loss_percent']} %, MOS ≥ {t['mos_min']}.</p>",
        "<h2>Verdict</h2><table><tr><th>criterion</th><th>result</th></tr>",
    ]
    for c in data["criteria"]:
        body.append(f"<tr><td>{e(c['criterion'])}</td>{_verdict(c['passed'])}</tr>")
    body.append(
        f'</table><p id="verdict" class="{"pass" if data["verdict"] else "fail"}">'
        f"Overall: {'ACCEPTED' if data['verdict'] else 'NOT ACCEPTED'}</p>"
    )
    if data["verify"]:
        body.append("<h2>Verify</h2>")
        body.append(
            _table(
                ["check", "result", "detail"],
                [
                    [c["name"], "pass" if c["ok"] else "FAIL", c["detail"]]
                    for c in data["verify"]["checks"]
                ],
            )
        )
    if data["qos_proof"]:
        p = data["qos_proof"]
        body.append(f"<h2>QoS proof (flood {p['flood_kbps']} kbit/s)</h2>")
        rows = []
        for name in p["with_qos"]:
            a, b = p["with_qos"][name], p["without_qos"][name]
            rows.append(
                [
                    name,
                    f"{a['delay_ms']:.1f} / {b['delay_ms']:.1f}",
                    f"{a['jitter_ms']:.1f} / {b['jitter_ms']:.1f}",
                    f"{a['loss_percent']:.2f} / {b['loss_percent']:.2f}",
                    f"{a['mos']:.2f} / {b['mos']:.2f}",
                ]
            )
        body.append(_table(["class", "delay ms (QoS / none)", "jitter ms", "loss %", "MOS"], rows))
    if data["soak"]:
        sk = data["soak"]
        body.append(
            f"<h2>Soak {e(sk['schedule'])} ({sk['done_s'] / 60:.1f} min"
            f"{'' if sk['finished'] else ', unfinished'})</h2>"
        )
        for metric, title, key in PLOTS:
            body.append(svg_plot(data["soak_samples"], metric, title, t.get(key)))
        body.append("<h3>Per profile</h3>")
        body.append(
            _table(
                [
                    "profile",
                    "class",
                    "windows",
                    "delay ms",
                    "max jitter ms",
                    "loss %",
                    "min MOS",
                    "breaches",
                ],
                [list(g.values()) for g in sk["by_profile"]],
            )
        )
        body.append("<h3>Per hour</h3>")
        body.append(
            _table(
                [
                    "hour",
                    "class",
                    "windows",
                    "delay ms",
                    "max jitter ms",
                    "loss %",
                    "min MOS",
                    "breaches",
                ],
                [list(g.values()) for g in sk["by_hour"]],
            )
        )
    style = (
        "body{font-family:sans-serif;margin:2em;max-width:60em}table{border-collapse:collapse;"
        "margin:.5em 0}td,th{border:1px solid #bbb;padding:.2em .5em;font-size:90%}"
        ".pass{color:#1e8449;font-weight:bold}.fail{color:#c0392b;font-weight:bold}"
        ".missing{color:#888}svg.plot{display:block;margin:.5em 0;border:1px solid #ddd}"
    )
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>Acceptance report {e(s['slug'])}</title><style>{style}</style></head><body>"
        + "\n".join(body)
        + "</body></html>\n"
    )


def write(inv: Inventory, slug: str, out: Path | None = None) -> tuple[Path, Path, dict[str, Any]]:
    data = build(inv, slug)
    folder = out or proof_dir(inv.root, slug)
    folder.mkdir(parents=True, exist_ok=True)
    html_path, json_path = folder / "report.html", folder / "report.json"
    html_path.write_text(render_html(data), encoding="utf-8")
    json_path.write_text(json.dumps(data, indent=2, ensure_ascii=False), encoding="utf-8")
    return html_path, json_path, data
