"""The drift report for people: a table's rows, Markdown and HTML (JSON: Report.to_json)."""

from __future__ import annotations

from rollout.drift.report import DeviceDrift, Report, State


def _detail(d: DeviceDrift) -> str:
    if d.state is State.ERROR:
        return d.error
    if not d.lines:
        return ""
    first = next((x for x in d.lines if not x.allowed), d.lines[0])
    more = f" (+{len(d.lines) - 1} more)" if len(d.lines) > 1 else ""
    return f"{first.text.strip()}{more}"


def markdown(report: Report) -> str:
    c = report.counts
    out = [
        "# Drift report",
        "",
        f"{len(report.devices)} devices in {report.seconds:.1f} s: "
        f"{c['clean']} clean, {c['drift']} drift, {c['allowed']} allowed, {c['error']} error.",
        "",
        "| device | site | platform | state | kind | detail | s |",
        "|---|---|---|---|---|---|---|",
    ]

    def cell(text: str) -> str:
        return text.replace("|", "\\|").replace("\n", " ")

    for d in report.devices:
        out.append(
            f"| {d.device} | {d.site} | {d.platform} | {d.state.value} | "
            f"{d.kind.value if d.kind else ''} | {cell(_detail(d))} | {d.seconds:.2f} |"
        )
    for d in report.devices:
        if d.lines:
            out += ["", f"## {d.device} ({d.state.value})", "", "```"]
            out += [x.text + (f"    # allowed: {x.allowed}" if x.allowed else "") for x in d.lines]
            out.append("```")
    return "\n".join(out) + "\n"


def html(report: Report) -> str:
    from html import escape

    c = report.counts
    rows = "\n".join(
        f'<tr class="{d.state.value}"><td>{escape(d.device)}</td><td>{escape(d.site)}</td>'
        f"<td>{escape(d.platform)}</td><td>{d.state.value}</td>"
        f"<td>{d.kind.value if d.kind else ''}</td><td>{escape(_detail(d))}</td>"
        f"<td>{d.seconds:.2f}</td></tr>"
        for d in report.devices
    )
    details = "\n".join(
        f"<h2>{escape(d.device)} ({d.state.value})</h2><pre>"
        + "\n".join(
            escape(x.text) + (f"    # allowed: {escape(x.allowed)}" if x.allowed else "")
            for x in d.lines
        )
        + "</pre>"
        for d in report.devices
        if d.lines
    )
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Drift report</title>
<style>
body {{ font-family: sans-serif; margin: 2em; }} table {{ border-collapse: collapse; }}
td, th {{ border: 1px solid #ccc; padding: 2px 8px; text-align: left; }}
tr.drift {{ background: #fff3cd; }} tr.error {{ background: #f8d7da; }}
tr.allowed {{ background: #e2e3e5; }}
</style></head><body>
<h1>Drift report</h1>
<p>{len(report.devices)} devices in {report.seconds:.1f} s: {c["clean"]} clean,
{c["drift"]} drift, {c["allowed"]} allowed, {c["error"]} error.</p>
<table><tr><th>device</th><th>site</th><th>platform</th><th>state</th><th>kind</th>
<th>detail</th><th>s</th></tr>
{rows}
</table>
{details}
</body></html>
"""


def table_rows(report: Report) -> list[tuple[str, ...]]:
    return [
        (
            d.device,
            d.state.value,
            d.kind.value if d.kind else "",
            _detail(d),
            str(len(d.unmanaged)),
            f"{d.seconds:.2f}",
        )
        for d in report.devices
    ]
