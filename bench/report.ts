/** The bench's results as one JSON document, and as the Markdown figures of bench/README.md. */
import type { AmplificationResults } from './amplification.ts';
import type { BrowserResults } from './browser.ts';
import type { FanoutResults, ManyStreamsResults, MemoryResults, RawFanoutResults } from './fanout.ts';
import type { InstancesResults } from './instances.ts';
import type { SizeResults } from './size.ts';
import type { ThroughputResults } from './throughput.ts';

export interface Machine {
  availableParallelism: number;
  cpuModel: string;
  memoryGiB: number;
  node: string;
  platform: string;
  /** 1, 5 and 15 minute load averages when the bench started: other work on the machine skews timings. */
  loadAverageAtStart: number[];
}

export interface Budget {
  what: string;
  budget: string;
  measured: string;
  met: boolean;
}

export interface BenchResults {
  generatedAt: string;
  command: string;
  durationSeconds: number;
  machine: Machine;
  budgets: Budget[];
  size: SizeResults;
  browser: BrowserResults;
  amplification: AmplificationResults;
  fanout: FanoutResults;
  rawFanout: RawFanoutResults;
  manyStreams: ManyStreamsResults;
  throughput: ThroughputResults;
  memory: MemoryResults;
  instances: InstancesResults;
}

/** Decimal kB (1,000 bytes), the strict reading of the budgets, as the build's size report (scripts/size.mjs) reads them. */
const KB = 1000;
const kB = (bytes: number) => `${(bytes / KB).toFixed(2)} kB`;
const times = (ratio: number) => `${ratio}×`;
const round2 = (value: number) => Math.round(value * 100) / 100;
const table = (head: string[], rows: (string | number)[][]) =>
  [head, head.map(() => '---'), ...rows].map((cells) => `| ${cells.join(' | ')} |`).join('\n');

/** The budgets DESIGN.md sets, against this run's figures. */
export function checkBudgets(results: Omit<BenchResults, 'budgets'>): Budget[] {
  const { size, browser, amplification, fanout, instances } = results;
  const { throughput, memory, rawFanout, manyStreams } = results;
  const overRaw = rawRatio(fanout, rawFanout);
  const across = acrossInstances(amplification, fanout, instances);
  const streams = browser.kit.map((page) => page.maxOpenStreams);
  const polls = browser.kit.map((page) => page.requests - page.streamsOpened);
  const growth = Math.max(
    amplification.thousandOverOne.withWebhooks,
    amplification.thousandOverOne.withoutWebhooks,
  );
  return [
    {
      what: 'whole kit, min+gzip, without Lit (shipped build)',
      budget: '≤ 10.5 kB',
      measured: `${kB(size.shipped.withoutLit.gzipBytes)} (${size.shipped.withoutLit.gzipBytes} B)`,
      met: size.shipped.withoutLit.gzipBytes <= 10.5 * KB,
    },
    {
      what: 'whole kit, min+gzip, with Lit (shipped build)',
      budget: '≤ 16 kB',
      measured: `${kB(size.shipped.withLit.gzipBytes)} (${size.shipped.withLit.gzipBytes} B)`,
      met: size.shipped.withLit.gzipBytes <= 16 * KB,
    },
    {
      what: 'event streams per page (1, 3, 30 elements)',
      budget: '1',
      measured: streams.join(', '),
      met: streams.every((count) => count === 1),
    },
    {
      what: 'other requests from those pages while the stream is healthy',
      budget: '0',
      measured: polls.join(', '),
      met: polls.every((count) => count === 0),
    },
    {
      what: 'upstream requests/min, 1,000 viewers ÷ 1 viewer',
      budget: '≤ 1.1 (no growth)',
      measured: times(growth),
      met: growth <= 1.1,
    },
    {
      what: 'webhook → 1,000 streams, p99',
      budget: '≤ 50 ms',
      measured: `${fanout.p99Ms} ms`,
      met: fanout.p99Ms <= 50,
    },
    {
      what: 'proxy list route (token checked, watched meeting) ÷ bare node:http, requests/s',
      budget: '≥ 0.5×',
      measured: times(throughput.proxyOverBare),
      met: throughput.proxyOverBare >= 0.5,
    },
    {
      what: 'proxy `/health` ÷ bare node:http, requests/s',
      budget: '≥ 0.75×',
      measured: times(throughput.healthOverBare),
      met: throughput.healthOverBare >= 0.75,
    },
    {
      what: `memory per idle stream, heap / RSS (after GC, ${memory.streams} streams)`,
      budget: '≤ 8 kB / ≤ 20 kB',
      measured: `${kB(memory.heapBytesPerStream)} / ${kB(memory.rssBytesPerStream)}`,
      met: memory.heapBytesPerStream <= 8 * KB && memory.rssBytesPerStream <= 20 * KB,
    },
    {
      what: 'webhook → 1,000 streams p99 ÷ a raw node:http write loop to 1,000 sockets, p99',
      budget: '≤ 1.25×',
      measured: `${times(overRaw)} (${fanout.p99Ms} ms ÷ ${rawFanout.p99Ms} ms)`,
      met: overRaw <= 1.25,
    },
    {
      what: `${manyStreams.streams.toLocaleString('en')} streams on one instance: held, heartbeats on time, every event to every stream`,
      budget: 'all',
      measured: `${manyStreams.streamsOnTime} on time; ${manyStreams.fanout.samples} of ${manyStreams.fanout.webhooks * manyStreams.streams} events`,
      met:
        manyStreams.streamsOnTime === manyStreams.streams &&
        manyStreams.fanout.samples === manyStreams.fanout.webhooks * manyStreams.streams,
    },
    {
      what: `upstream requests/min, 1,000 viewers on ${instances.instances} instances ÷ on 1 (webhooks / polling)`,
      budget: '≤ 1.1 (no growth)',
      measured: `${times(across.withWebhooks)} / ${times(across.withoutWebhooks)}`,
      met: Math.max(across.withWebhooks, across.withoutWebhooks) <= 1.1,
    },
    {
      what: `webhook → 1,000 streams on ${instances.instances} instances, p99 ÷ one instance's`,
      budget: '≤ 2×',
      measured: `${times(across.p99)} (${instances.fanout.p99Ms} ms ÷ ${fanout.p99Ms} ms)`,
      met: across.p99 <= 2,
    },
  ];
}

/** The proxy's fan-out p99 over the raw write loop's, same run. */
function rawRatio(fanout: FanoutResults, raw: RawFanoutResults): number {
  return Math.round((fanout.p99Ms / raw.p99Ms) * 100) / 100;
}

/** The several-instance figures over the single-instance ones of the same run. */
function acrossInstances(
  amplification: AmplificationResults,
  fanout: FanoutResults,
  instances: InstancesResults,
) {
  const perMinute = (runs: AmplificationResults['runs'], webhooks: boolean) =>
    runs.find((run) => run.viewers === 1000 && run.webhooks === webhooks)!.upstreamRequestsPerMinute;
  const ratio = (webhooks: boolean) =>
    Math.round(
      (perMinute(instances.amplification, webhooks) / perMinute(amplification.runs, webhooks)) * 100,
    ) / 100;
  return {
    withWebhooks: ratio(true),
    withoutWebhooks: ratio(false),
    p99: Math.round((instances.fanout.p99Ms / fanout.p99Ms) * 100) / 100,
  };
}

/** The columns of a fan-out row (`fanoutRow`), the instance count first. */
const FANOUT_COLUMNS = [
  'instances',
  'streams',
  'webhooks',
  'samples',
  'p50',
  'p95',
  'p99',
  'max',
  'proxy answered the POST (median)',
  'first stream (median)',
  'last stream (median)',
];

export function renderFigures(results: BenchResults): string {
  const { machine, size, browser, amplification, fanout, throughput, memory, instances } = results;
  const { rawFanout, manyStreams } = results;
  const across = acrossInstances(amplification, fanout, instances);
  const fanoutRow = (run: FanoutResults) => [
    run.instances,
    run.streams,
    run.webhooks,
    run.samples,
    ...[run.p50Ms, run.p95Ms, run.p99Ms, run.maxMs].map((ms) => `${ms} ms`),
    `${run.proxyAnsweredMedianMs} ms`,
    `${run.firstStreamMedianMs} ms`,
    `${run.lastStreamMedianMs} ms`,
  ];
  const single = (webhooks: boolean) =>
    amplification.runs.find((run) => run.viewers === 1000 && run.webhooks === webhooks)!;
  const instanceRows = [true, false].flatMap((webhooks) =>
    [single(webhooks), instances.amplification.find((run) => run.webhooks === webhooks)!].map((run) => [
      run.instances,
      run.viewers,
      run.webhooks ? 'yes' : 'no (polling)',
      run.upstreamRequests,
      run.upstreamRequestsPerMinute,
      `${run.viewersThatSawUploaded} / ${run.viewers}`,
    ]),
  );
  const { perMeeting, perRecording, perDelivery } = instances.footprint;
  const browserRows = browser.kit.map((kit, i) => {
    const naive = browser.naive[i]!;
    return [
      kit.elements,
      kit.requests,
      kit.maxOpenStreams,
      naive.requests,
      times(browser.naiveOverKit[String(kit.elements)]!),
      `${kit.uploadedSeenAfterStopSeconds} s`,
      `${naive.uploadedSeenAfterStopSeconds} s`,
    ];
  });
  const amplificationRows = amplification.runs.map((run) => [
    run.viewers,
    run.webhooks ? 'yes' : 'no (polling)',
    run.upstreamRequests,
    run.upstreamRequestsPerMinute,
    `${run.viewersThatSawUploaded} / ${run.viewers}`,
  ]);
  const elementRows = Object.entries(size.elements).map(([tag, sizes]) => [
    `\`<${tag}>\` alone`,
    kB(sizes.withLit.gzipBytes),
    kB(sizes.withoutLit.gzipBytes),
  ]);
  const dyteRows = Object.entries(size.dyteUiKit.elements).map(([tag, bundle]) => [
    `Dyte UI kit \`<${tag}>\` alone`,
    kB(bundle.gzipBytes),
    '—',
  ]);
  const dytePair = `Dyte UI kit ${size.dyteUiKit.version}: \`<dyte-recording-toggle>\` + \`<dyte-recording-indicator>\``;
  return `Measured ${results.generatedAt} by \`${results.command}\` in ${results.durationSeconds} s on
${machine.availableParallelism} cores (os.availableParallelism()) · ${machine.cpuModel} · ${machine.memoryGiB} GiB ·
Node ${machine.node} · ${machine.platform} · load average at start ${machine.loadAverageAtStart.join(' / ')}.

### Headline

${table(
  ['ratio', 'figure'],
  [
    [
      "Dyte UI kit's toggle + indicator ÷ the whole kit (min+gzip, with Lit / without Lit)",
      `${times(size.dyteOverKitWithLit)} / ${times(size.dyteOverKitWithoutLit)}`,
    ],
    [
      'browser requests, naive polling ÷ kit, 30 elements, one recording life',
      times(browser.naiveOverKit['30']!),
    ],
    [
      'upstream requests/min, 1,000 viewers ÷ 1 viewer (webhooks / polling)',
      `${times(amplification.thousandOverOne.withWebhooks)} / ${times(amplification.thousandOverOne.withoutWebhooks)}`,
    ],
    [
      'proxy list route / `/health` ÷ bare node:http, requests/s',
      `${times(throughput.proxyOverBare)} / ${times(throughput.healthOverBare)}`,
    ],
    [
      'memory per idle stream, proxy ÷ bare node:http SSE server (heap / RSS)',
      `${times(round2(memory.heapBytesPerStream / memory.bareSse.heapBytesPerStream))} / ${times(round2(memory.rssBytesPerStream / memory.bareSse.rssBytesPerStream))}`,
    ],
    [
      'webhook → 1,000 streams p99 ÷ raw node:http write loop to 1,000 sockets',
      times(rawRatio(fanout, rawFanout)),
    ],
    [
      `${instances.instances} instances on one Redis ÷ 1 instance: upstream requests/min (webhooks / polling), webhook → stream p99`,
      `${times(across.withWebhooks)} / ${times(across.withoutWebhooks)}, ${times(across.p99)}`,
    ],
  ],
)}

### Budgets (DESIGN.md)

${table(
  ['what', 'budget', 'measured', 'met'],
  results.budgets.map((budget) => [
    budget.what,
    budget.budget,
    budget.measured,
    budget.met ? 'yes' : '**no**',
  ]),
)}

### 1. Size (minified, gzip -9; kB = 1,000 bytes)

${table(
  ['bundle', 'with Lit', 'without Lit'],
  [
    [
      'the whole kit as shipped (`npm run build`: Vite/Rollup single modules)',
      kB(size.shipped.withLit.gzipBytes),
      kB(size.shipped.withoutLit.gzipBytes),
    ],
    [
      "the whole kit bundled by esbuild, like Dyte's below (three elements, store, stream)",
      kB(size.kit.withLit.gzipBytes),
      kB(size.kit.withoutLit.gzipBytes),
    ],
    ...elementRows,
    [dytePair, kB(size.dyteUiKit.toggleAndIndicator.gzipBytes), '—'],
    ...dyteRows,
  ],
)}

### 2. Browser network cost (headless Chromium, ${browser.windowSeconds} s window holding one recording's life)

${table(
  [
    'elements',
    'kit: requests',
    'kit: open streams (max)',
    'naive 2 s polling: requests',
    'naive ÷ kit',
    'kit: stop → all show "uploaded"',
    'naive: stop → all show "uploaded"',
  ],
  browserRows,
)}

### 3. Upstream amplification (${amplification.windowSeconds} s window holding one recording's life)

${table(['viewers (streams)', 'webhooks', 'upstream requests', 'per minute', 'viewers that saw the upload finish'], amplificationRows)}

### 4. Fan-out latency (webhook POSTed to the proxy → event received on each stream)

${table(FANOUT_COLUMNS, [fanoutRow(fanout)])}

Beside it, in the same run, a bare node:http SSE server (its own process) writing each of ${rawFanout.events} events (${rawFanout.eventBytes} bytes) to its ${rawFanout.streams} sockets in a plain loop, POSTed to it as the webhooks are to the proxy, read by the same process:

${table(
  ['server', 'streams', 'events', 'samples', 'p50', 'p95', 'p99', 'max'],
  [
    [
      'proxy (webhook → event)',
      fanout.streams,
      fanout.webhooks,
      fanout.samples,
      ...[fanout.p50Ms, fanout.p95Ms, fanout.p99Ms, fanout.maxMs].map((ms) => `${ms} ms`),
    ],
    [
      'raw write loop',
      rawFanout.streams,
      rawFanout.events,
      rawFanout.samples,
      ...[rawFanout.p50Ms, rawFanout.p95Ms, rawFanout.p99Ms, rawFanout.maxMs].map((ms) => `${ms} ms`),
    ],
  ],
)}

Slowest webhook: the proxy answered after ${fanout.slowestWebhook.proxyAnsweredMs} ms; the first stream had it after ${fanout.slowestWebhook.firstStreamMs} ms, the last after ${fanout.slowestWebhook.lastStreamMs} ms.
Recording events that no relayed webhook explains: ${fanout.unattributedEvents}.

### 5. Proxy throughput and memory

The ladder, each rung in its own process, measured in alternating rounds:

${table(
  ['rung', 'requests/s', '÷ bare node:http', 'latency p50', 'latency p99'],
  throughput.ladder.map((rung) => [
    rung.rung,
    rung.requestsPerSecond,
    times(rung.overBare),
    `${rung.latencyP50Ms} ms`,
    `${rung.latencyP99Ms} ms`,
  ]),
)}

(autocannon, ${throughput.connections} connections, ${throughput.seconds} s each in alternating
rounds, each target right after a round of the bare server; figures are medians over the rounds,
ratios the median of each target's ratio to the bare round just before it; ${throughput.bodyBytes}-byte body; ${throughput.upstreamRequestsDuringLoad} upstream requests during the load).
Every server runs with \`--no-memory-reducer\`, as the README advises running the proxy, except the
last rung: the same stack, history and route on Node's default collector heuristics.

Memory per idle open stream (after full GC, ${memory.streams} streams, the readers in the bench's process):

${table(
  ['server', 'heap (+ external)', 'RSS'],
  [
    ['proxy', kB(memory.heapBytesPerStream), kB(memory.rssBytesPerStream)],
    [
      'bare node:http SSE server',
      kB(memory.bareSse.heapBytesPerStream),
      kB(memory.bareSse.rssBytesPerStream),
    ],
    [
      `proxy, ${manyStreams.streams.toLocaleString('en')} streams`,
      kB(manyStreams.memory.heapBytesPerStream),
      kB(manyStreams.memory.rssBytesPerStream),
    ],
  ],
)}

### ${manyStreams.streams.toLocaleString('en')} streams on one instance (heartbeat every ${manyStreams.heartbeatMs} ms)

Streams with every heartbeat of a ${manyStreams.heartbeatWindowMs / 1000} s idle window on time (each within 1.5 intervals of the one before): ${manyStreams.streamsOnTime} of ${manyStreams.streams};
gap between heartbeats p99 ${manyStreams.heartbeatGapP99Ms} ms, longest ${manyStreams.heartbeatGapMaxMs} ms. Fan-out of ${manyStreams.fanout.webhooks} webhooks to every stream:

${table(FANOUT_COLUMNS.slice(1), [fanoutRow(manyStreams.fanout).slice(1)])}

### 6. Several instances on one Redis (${instances.instances} instances, each its own process; webhooks reach the first)

Fan-out, the 1,000 streams spread evenly over the instances, beside the single instance of section 4:

${table(FANOUT_COLUMNS, [fanoutRow(fanout), fanoutRow(instances.fanout)])}

Upstream requests, 1,000 viewers spread evenly over the instances, beside the single instance of section 3:

${table(['instances', 'viewers (streams)', 'webhooks', 'upstream requests', 'per minute', 'viewers that saw the upload finish'], instanceRows)}

What Redis holds (MEMORY USAGE of every key after the fan-out run): per meeting ${perMeeting.keys} keys,
${kB(perMeeting.bytes)} with ${perMeeting.logEvents} events in its log (${kB(perMeeting.logBytesPerEvent)} per event; the log keeps 256 at most);
per recording ${perRecording.keys} keys, ${kB(perRecording.bytes)} (over ${perRecording.recordings} recordings); per webhook delivery
remembered for deduplication 1 key, ${kB(perDelivery.bytes)} (${perDelivery.deliveries} deliveries).
`;
}
