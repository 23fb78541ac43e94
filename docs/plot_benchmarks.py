#!/usr/bin/env python3
"""Draws docs/benchmarks.svg from `./sluice bench` JSON lines: completed requests/s of Sluice's call stage, the
blocking processor and the no-Kafka ceiling, per provider latency, on a log scale (the blocking design is ~1,000x
slower). Usage: python3 docs/plot_benchmarks.py bench-1s.json bench-200ms.json > docs/benchmarks.svg"""
import json
import math
import sys

runs = []
for path in sys.argv[1:]:
    for line in open(path):
        line = line.strip()
        if line.startswith('{'):
            runs.append(json.loads(line))
runs.sort(key=lambda r: -r['providerLatencyMs'])

series = [('Sluice call stage', '#2b6cb0', lambda r: r['requestsPerSecSteady']),
          ('Blocking process()', '#c53030', lambda r: r.get('blocking', {}).get('requestsPerSec', 0)),
          ('Ceiling (no Kafka)', '#718096', lambda r: r['ceilingRequestsPerSec'])]
W, H, left, bottom, top = 640, 360, 70, 60, 40
plot_h = H - bottom - top
lo, hi = 1, 10 ** math.ceil(math.log10(max(max(f(r) for _, _, f in series) for r in runs)))


def y(v):
    v = max(v, lo)
    return top + plot_h - plot_h * (math.log10(v) - math.log10(lo)) / (math.log10(hi) - math.log10(lo))


out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" font-family="sans-serif" font-size="12">',
       f'<text x="{W / 2}" y="20" text-anchor="middle" font-size="14">Completed requests/s (log scale), 2-core machine</text>']
decade = lo
while decade <= hi:
    out.append(f'<line x1="{left}" x2="{W - 20}" y1="{y(decade):.1f}" y2="{y(decade):.1f}" stroke="#e2e8f0"/>')
    out.append(f'<text x="{left - 6}" y="{y(decade) + 4:.1f}" text-anchor="end">{decade:,}</text>')
    decade *= 10
group_w = (W - left - 20) / max(1, len(runs))
bar_w = group_w / (len(series) + 1)
for i, run in enumerate(runs):
    x0 = left + i * group_w + bar_w / 2
    for j, (name, color, value) in enumerate(series):
        v = value(run)
        x = x0 + j * bar_w
        out.append(f'<rect x="{x:.1f}" y="{y(v):.1f}" width="{bar_w * 0.9:.1f}" height="{top + plot_h - y(v):.1f}" fill="{color}"/>')
        out.append(f'<text x="{x + bar_w * 0.45:.1f}" y="{y(v) - 4:.1f}" text-anchor="middle" font-size="10">{v:,.0f}</text>')
    out.append(f'<text x="{left + i * group_w + group_w / 2:.1f}" y="{H - bottom + 18}" text-anchor="middle">'
               f'provider latency {run["providerLatencyMs"]} ms</text>')
for j, (name, color, _) in enumerate(series):
    out.append(f'<rect x="{left + j * 180}" y="{H - 24}" width="12" height="12" fill="{color}"/>')
    out.append(f'<text x="{left + j * 180 + 16}" y="{H - 14}">{name}</text>')
out.append('</svg>')
print('\n'.join(out))
