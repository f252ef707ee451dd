#!/usr/bin/env python3
"""The table of bench/http.sh profile: server CPU per request by backend and endpoint (median of the rounds), the
stores' floor (their own benchmark clients, CPU per round trip), and where the CPU of /bench/key goes in each
profile (frames grouped by who owns them)."""
import re
import statistics
import sys
from collections import defaultdict

raw, results = sys.argv[1], sys.argv[2]
text = open(raw).read()
header = [l for l in text.splitlines() if l.startswith('# ') and not l.startswith('# bench')]

cpu = defaultdict(list)  # (backend, endpoint) -> [us per request]
for m in re.finditer(r'### cpu backend=(\S+) endpoint=(\S+) round=\d+ requests=(\d+) ticks=(\d+) hz=(\d+)', text):
    backend, ep, requests, ticks, hz = m.group(1), m.group(2), int(m.group(3)), int(m.group(4)), int(m.group(5))
    if requests:
        cpu[(backend, ep)].append(ticks / hz * 1e6 / requests)

print('# bench/http.sh profile')
print()
for l in header:
    print(l[2:] + '  ')
print()
print('## Server CPU per request (Payara JVM, utime + stime over each wrk -c16 run)')
print()
print('The least of the rounds (the one with the least interference: JIT, GC, other tenants of the host), then the median.')
print()
print('| backend | /bench/open least | /bench/key least | key - open, least | /bench/open median | /bench/key median | key - open, median |')
print('|---|---|---|---|---|---|---|')
for backend in dict.fromkeys(b for b, _ in cpu):
    o, k = cpu[(backend, 'open')] or [float('nan')], cpu[(backend, 'key')] or [float('nan')]
    print(f'| {backend} | {min(o):.0f} us | {min(k):.0f} us | {min(k) - min(o):.0f} us | {statistics.median(o):.0f} us'
          f' | {statistics.median(k):.0f} us | {statistics.median(k) - statistics.median(o):.0f} us |')
print()


def floors(name):
    rows = []
    for block in re.split(r'^### ', text, flags=re.M):
        if not block.startswith('floor ' + name + ' ') and not block.startswith('floor ' + name + '\n'):
            continue
        c = re.search(r'cpu ([\d.]+) ([\d.]+)', block)
        user_sys = float(c.group(1)) + float(c.group(2)) if c else float('nan')
        if name.startswith('redis'):
            m = re.search(r'^"hget[^"]*","([\d.]+)","([\d.]+)","[\d.]+","([\d.]+)"', block, re.M)
            if m:
                rps, avg, p50 = float(m.group(1)), float(m.group(2)), float(m.group(3))
                total = 200000 if name == 'redis' else 50000
                rows.append((rps, avg * 1000, p50 * 1000, user_sys * 1e6 / total))
        else:
            tps = re.search(r'tps = ([\d.]+)', block)
            lat = re.search(r'latency average = ([\d.]+) ms', block)
            n = re.search(r'number of transactions actually processed: (\d+)', block)
            if tps and lat and n:
                rows.append((float(tps.group(1)), float(lat.group(1)) * 1000, float('nan'), user_sys * 1e6 / int(n.group(1))))
    return rows


print('## The floor: the stores\' own clients on the same cores')
print()
print('| client | connections | round trips/s | mean latency | p50 | client CPU per round trip |')
print('|---|---|---|---|---|---|')
for name, label, conns in (('redis', 'redis-benchmark HGET', 16), ('redis-c1', 'redis-benchmark HGET', 1),
                           ('pgbench', 'pgbench, the lookup by hash (prepared)', 16), ('pgbench-c1', 'pgbench, the lookup by hash (prepared)', 1)):
    rows = floors(name)
    if not rows:
        continue
    med = [statistics.median(r[i] for r in rows) for i in range(4)]
    p50 = '' if med[2] != med[2] else f'{med[2]:.0f} us'
    print(f'| {label} | {conns} | {med[0]:.0f} | {med[1]:.0f} us | {p50} | {med[3]:.1f} us |')
print()

OWNERS = [
    ('kernel (network stack, scheduler)', lambda f: f.endswith('_[k]')),
    ('Redisson and Netty', lambda f: f.startswith(('org/redisson', 'io/netty'))),
    ('EclipseLink and JDBC', lambda f: f.startswith(('org/eclipse/persistence', 'org/postgresql', 'com/sun/gjc', 'com/sun/enterprise/resource'))),
    ('jakarta-api-auth', lambda f: f.startswith('dev/apiauth')),
    ('thread hand-offs (park/unpark)', lambda f: 'LockSupport' in f or 'Unsafe.park' in f or 'Unsafe.unpark' in f),
    ('Jersey', lambda f: f.startswith('org/glassfish/jersey')),
    ('Grizzly (HTTP)', lambda f: f.startswith('org/glassfish/grizzly')),
    ('JIT, GC and other JVM threads', lambda f: f.startswith(('CompileBroker', 'GCTaskThread', 'G1', 'VMThread', 'ConcurrentGCThread', 'WorkerThread'))),
]


def owner(stack):
    frames = stack.split(';')
    # the innermost owner that claims a frame, scanning from the leaf: the code actually running
    for f in reversed(frames):
        for name, test in OWNERS:
            if test(f):
                return name
    return 'other (JDK, server, application)'


print('## Where /bench/key spends its CPU (async-profiler, cpu event, 15 s; samples by the innermost owner of the stack)')
print()
for m in re.finditer(r'### profile backend=(\S+) file=(\S+)', text):
    backend, path = m.group(1), m.group(2)
    try:
        lines = open(path).read().splitlines()
    except OSError:
        continue
    counts = defaultdict(int)
    through = defaultdict(int)
    total = 0
    for line in lines:
        stack, _, n = line.rpartition(' ')
        n = int(n)
        total += n
        counts[owner(stack)] += n
        frames = stack.split(';')
        if any(f.startswith('dev/apiauth') for f in frames):
            through['stacks through jakarta-api-auth'] += n
        if any(f.startswith(('org/redisson', 'io/netty/channel/nio', 'io/netty/channel/epoll')) for f in frames):
            through['stacks through Redisson/Netty'] += n
        if any('SingleThreadEventExecutor' in f for f in frames):
            through['on Netty event-loop threads'] += n
        if frames[-1].startswith('finish_task_switch'):
            through['context switches (finish_task_switch)'] += n
    print(f'### {backend} ({total} samples)')
    print()
    print('| innermost owner | share |')
    print('|---|---|')
    for name, n in sorted(counts.items(), key=lambda kv: -kv[1]):
        print(f'| {name} | {100 * n / total:.1f}% |')
    for name, n in through.items():
        print(f'| ({name}) | {100 * n / total:.1f}% |')
    print()
