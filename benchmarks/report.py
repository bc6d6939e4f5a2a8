"""Writing results: one JSON file per scenario and the table in docs/benchmarks.md."""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import subprocess
from pathlib import Path
from typing import Any

from benchmarks.deploy import ROOT

DOC = ROOT / "docs" / "benchmarks.md"
RESULTS = ROOT / "benchmarks" / "results"
START = "<!-- results:start (written by `make bench`) -->"
END = "<!-- results:end -->"


def git_commit() -> str:
    def git(*args: str) -> str:
        return subprocess.run(
            ["git", *args], cwd=ROOT, capture_output=True, text=True, check=False
        ).stdout.strip()

    commit = git("rev-parse", "--short=10", "HEAD") or "unknown"
    dirty = git("status", "--porcelain", "--", "benchmarks", "deliberation", "platform")
    return f"{commit}-dirty" if dirty else commit


def machine() -> dict[str, Any]:
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory_gb = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory_gb = round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    return {
        "cpu": model,
        "cores": os.cpu_count(),
        "memory_gb": memory_gb,
        "kernel": platform.release(),
        "python": platform.python_version(),
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
        "note": "shared 2-core machine; load generator on the same machine",
    }


def write_result(
    results_dir: Path, name: str, result: dict[str, Any], meta: dict[str, Any]
) -> Path:
    results_dir.mkdir(parents=True, exist_ok=True)
    data = {**result, **meta}
    path = results_dir / f"{name}.json"
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return path


def _fmt(value: Any, digits: int = 0) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:,.{digits}f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def table(results: dict[str, dict[str, Any]], meta: dict[str, Any]) -> str:
    """The Markdown summary written between the markers in docs/benchmarks.md."""
    m = meta["machine"]
    lines = [
        START,
        "",
        f"Run {meta['date']} on commit `{meta['git_commit']}`; machine: {m['cpu']}, "
        f"{m['cores']} cores, {m['memory_gb']} GB, Linux {m['kernel']}, Python {m['python']}; "
        f"load average at start {m['load_average_at_start']}. "
        "The load generator runs on the same machine.",
        "",
        "| scenario | clients | rate (posts/s) | deliveries/s | p50 ms | p99 ms | max ms | lost "
        "| server CPU µs/delivery | server RSS MB | stock room deliveries/s | Madang / stock |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for name in sorted(results):
        r = results[name]
        label = r["scenario"]
        if r.get("sustained") is False:
            label += " (no step passed: lightest step shown)"
        lines.append(
            f"| {label} | {_fmt(r.get('clients'))} | {_fmt(r.get('rate'), 1)} "
            f"| {_fmt(r.get('deliveries_per_s'))} | {_fmt(r.get('p50_ms'), 1)} "
            f"| {_fmt(r.get('p99_ms'), 1)} | {_fmt(r.get('max_ms'), 1)} | {_fmt(r.get('lost'))} "
            f"| {_fmt(r.get('cpu_us_per_delivery'), 1)} | {_fmt(r.get('rss_mb'), 1)} "
            f"| {_fmt(r.get('baseline_deliveries_per_s'))} | {_fmt(r.get('ratio'), 2)} |"
        )
    lines += ["", *details(results), "", END]
    return "\n".join(lines)


def details(results: dict[str, dict[str, Any]]) -> list[str]:
    out: list[str] = []
    s1 = results.get("1-one-room-sweep")
    if s1:
        out += [
            "Scenario 1, every step of the sweeps (a step passes with p99 ≤ 100 ms and "
            "nothing lost; the sweep stops at the first failing step):",
            "",
            "| room | N | posts/s | deliveries/s | p50 ms | p99 ms | max ms | lost | µs/delivery "
            "| server cores | generator cores | loop lag max ms |",
            "|---|---|---|---|---|---|---|---|---|---|---|---|",
        ]
        for sweep in s1["sweeps"]:
            for app in ("madang", "baseline"):
                for step in (sweep.get(app) or {}).get("steps", []):
                    out.append(
                        f"| {app} | {_fmt(sweep['clients'])} | {_fmt(step['rate'], 1)} "
                        f"| {_fmt(step['deliveries_per_s'])} | {_fmt(step['p50_ms'], 1)} "
                        f"| {_fmt(step['p99_ms'], 1)} | {_fmt(step.get('max_ms'), 1)} "
                        f"| {_fmt(step['lost'])} "
                        f"| {_fmt(step['cpu_us_per_delivery'], 1)} "
                        f"| {_fmt(step['server_cpu_cores'], 2)} "
                        f"| {_fmt(step['generator_cpu_cores'], 2)} "
                        f"| {_fmt(step.get('loop_lag_max_ms'), 1)} |"
                    )
        out.append("")
        out += sustained_lines(s1)
        offer = s1.get("same_offer")
        if offer:
            m, b = offer["madang"], offer["baseline"]
            out.append(
                f"Same offered load at N = {_fmt(s1['clients'])} (both rooms' first step): "
                f"Madang delivered {_fmt(m['deliveries_per_s'])}/s with {_fmt(m['lost'])} lost "
                f"at {_fmt(m['cpu_us_per_delivery'], 1)} µs of server CPU per delivery; the "
                f"stock room delivered {_fmt(b['deliveries_per_s'])}/s with {_fmt(b['lost'])} "
                f"lost at {_fmt(b['cpu_us_per_delivery'], 1)} µs: "
                f"{_fmt(offer['delivered_ratio'], 2)}× the deliveries at "
                f"1/{_fmt(offer['cpu_per_delivery_ratio'], 1)} of the CPU each."
            )
            out.append("")
    s2 = results.get("2-speakers-and-reactions")
    if s2:
        out.append(
            f"Scenario 2: {s2['reaction_burst']} reactions within one second; every client "
            f"had the final counts {_fmt(s2.get('reaction_drain_ms'), 0)} ms after the last "
            f"reaction was acknowledged (p99 {_fmt(s2.get('reaction_p99_ms'), 0)} ms). "
            "Stock room under the same statement load: p99 "
            f"{_fmt(s2.get('baseline_p99_ms'), 1)} ms."
        )
        out.append("")
    s3 = results.get("3-many-rooms-churn")
    if s3:
        churn = s3.get("churn") or {}
        out.append(
            f"Scenario 3: {s3['rooms']} rooms, {_fmt(churn.get('joins'))} joins and "
            f"{_fmt(churn.get('leaves'))} leaves during the run, "
            f"{_fmt(churn.get('failed_joins'))} failed; join handshake p99 "
            f"{_fmt(churn.get('handshake_p99_ms'), 0)} ms. Stock room p99 "
            f"{_fmt(s3.get('baseline_p99_ms'), 1)} ms."
        )
        out.append("")
    s4 = results.get("4-idle")
    if s4:
        out.append(
            f"Scenario 4: {_fmt(s4['clients'])} idle residents for {_fmt(s4['idle_s'], 0)} s: "
            f"{_fmt(s4.get('rss_kb_per_connection'), 1)} KB of server RSS per connection "
            f"(stock room {_fmt(s4.get('baseline_rss_kb_per_connection'), 1)} KB), idle server "
            f"CPU {_fmt(s4.get('idle_cpu_pct'), 2)} % of one core; a statement afterwards "
            f"reached everyone still connected (lost {_fmt(s4.get('lost'))})."
        )
        out.append("")
    s5 = results.get("5-connection-storm")
    if s5:
        out.append(
            f"Scenario 5: {_fmt(s5['clients'])} residents joining within "
            f"{_fmt(s5['window_s'], 0)} s: {_fmt(s5.get('failed_joins'))} failed, handshake "
            f"(to the snapshot) p50 {_fmt(s5.get('handshake_p50_ms'), 0)} ms, p99 "
            f"{_fmt(s5.get('handshake_p99_ms'), 0)} ms "
            f"(stock room: {_fmt(s5.get('baseline_failed_joins'))} failed, p99 "
            f"{_fmt(s5.get('baseline_handshake_p99_ms'), 0)} ms to the accept)."
        )
        out.append("")
    return out


def sustained(sweep: dict[str, Any]) -> tuple[float | None, float | None]:
    """(best passing deliveries/s, lightest step's deliveries/s) of one room's sweep."""
    steps = sweep.get("steps") or []
    best = sweep.get("best")
    return (
        best["deliveries_per_s"] if best else None,
        steps[0]["deliveries_per_s"] if steps else None,
    )


def sustained_lines(s1: dict[str, Any]) -> list[str]:
    """Each room size: the rate each room sustained, and Madang / stock (or its bound)."""
    out = [
        "Sustained (the highest step with p99 ≤ 100 ms and nothing lost):",
        "",
        "| N | Madang deliveries/s | stock room deliveries/s | Madang / stock |",
        "|---|---|---|---|",
    ]
    for sweep in s1["sweeps"]:
        mine, _ = sustained(sweep.get("madang") or {})
        if "baseline" not in sweep:
            base_text, ratio = "not run", "–"
        else:
            base, lightest = sustained(sweep["baseline"])
            if base:
                base_text = _fmt(base)
                ratio = f"{mine / base:.2f}×" if mine else "–"
            else:
                base_text = f"none (the lightest step, {_fmt(lightest)}/s, failed)"
                ratio = f"> {mine / lightest:.1f}×" if mine and lightest else "–"
        out.append(f"| {_fmt(sweep['clients'])} | {_fmt(mine)} | {base_text} | {ratio} |")
    out.append("")
    return out


def rerender(results_dir: Path = RESULTS, doc: Path = DOC) -> None:
    """Write the table again from the JSON files of the last full run."""
    results: dict[str, dict[str, Any]] = {}
    meta: dict[str, Any] = {}
    for path in sorted(results_dir.glob("[0-9]-*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        results[data["scenario"]] = data
        meta = {k: data[k] for k in ("git_commit", "machine", "date", "quick") if k in data}
    if not results:
        raise SystemExit(f"no results in {results_dir}")
    update_doc(results, meta, doc)


def update_doc(results: dict[str, dict[str, Any]], meta: dict[str, Any], doc: Path = DOC) -> None:
    """Replace the generated section of docs/benchmarks.md (create the page if missing)."""
    section = table(results, meta)
    text = doc.read_text(encoding="utf-8") if doc.exists() else "# Benchmarks\n\n"
    if START in text and END in text:
        head, rest = text.split(START, 1)
        _, tail = rest.split(END, 1)
        text = head + section + tail
    else:
        text = text.rstrip() + "\n\n## Latest results\n\n" + section + "\n"
    doc.parent.mkdir(parents=True, exist_ok=True)
    doc.write_text(text, encoding="utf-8")


def now_iso() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")


if __name__ == "__main__":  # python -m benchmarks.report: the table again from the JSON
    rerender()
