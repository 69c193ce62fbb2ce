/** The bench's results as one JSON document, and as the Markdown figures of bench/README.md. */
import type { AmplificationResults } from './amplification.ts';
import type { BrowserResults } from './browser.ts';
import type { FanoutResults, MemoryResults } from './fanout.ts';
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
  throughput: ThroughputResults;
  memory: MemoryResults;
  instances: InstancesResults;
}

/** Decimal kB (1,000 bytes), the strict reading of the budgets, as the build's size report (scripts/size.mjs) reads them. */
const KB = 1000;
const kB = (bytes: number) => `${(bytes / KB).toFixed(2)} kB`;
const times = (ratio: number) => `${ratio}×`;
const table = (head: string[], rows: (string | number)[][]) =>
  [head, head.map(() => '---'), ...rows].map((cells) => `| ${cells.join(' | ')} |`).join('\n');

/** The budgets DESIGN.md sets, against this run's figures. */
export function checkBudgets(results: Omit<BenchResults, 'budgets'>): Budget[] {
  const { size, browser, amplification, fanout, instances } = results;
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

export function renderFigures(results: BenchResults): string {
  const { machine, size, browser, amplification, fanout, throughput, memory, instances } = results;
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
    ['proxy list route ÷ bare node:http, requests/s', times(throughput.proxyOverBare)],
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

${table(
  [
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
  ],
  [fanoutRow(fanout)],
)}

Slowest webhook: the proxy answered after ${fanout.slowestWebhook.proxyAnsweredMs} ms; the first stream had it after ${fanout.slowestWebhook.firstStreamMs} ms, the last after ${fanout.slowestWebhook.lastStreamMs} ms.
Recording events that no relayed webhook explains: ${fanout.unattributedEvents}.

### 5. Proxy throughput and memory

${table(
  ['server', 'requests/s', 'latency p50', 'latency p99'],
  (
    [
      ['proxy: list route, watched meeting', throughput.proxy],
      ['bare node:http, same JSON', throughput.bare],
      ['proxy: `/health` (no token, small body)', throughput.proxyHealth],
    ] as const
  ).map(([server, load]) => [
    server,
    load.requestsPerSecond,
    `${load.latencyP50Ms} ms`,
    `${load.latencyP99Ms} ms`,
  ]),
)}

Ratio ${times(throughput.proxyOverBare)} (autocannon, ${throughput.connections} connections, ${throughput.seconds} s each,
alternating; ${throughput.bodyBytes}-byte body; ${throughput.upstreamRequestsDuringLoad} upstream requests during the load).
Memory per idle open stream (proxy process, after full GC, ${memory.streams} streams): ${kB(memory.heapBytesPerStream)} heap,
${kB(memory.rssBytesPerStream)} RSS.

### 6. Several instances on one Redis (${instances.instances} instances, each its own process; webhooks reach the first)

Fan-out, the 1,000 streams spread evenly over the instances, beside the single instance of section 4:

${table(
  [
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
  ],
  [fanoutRow(fanout), fanoutRow(instances.fanout)],
)}

Upstream requests, 1,000 viewers spread evenly over the instances, beside the single instance of section 3:

${table(['instances', 'viewers (streams)', 'webhooks', 'upstream requests', 'per minute', 'viewers that saw the upload finish'], instanceRows)}

What Redis holds (MEMORY USAGE of every key after the fan-out run): per meeting ${perMeeting.keys} keys,
${kB(perMeeting.bytes)} with ${perMeeting.logEvents} events in its log (${kB(perMeeting.logBytesPerEvent)} per event; the log keeps 256 at most);
per recording ${perRecording.keys} keys, ${kB(perRecording.bytes)} (over ${perRecording.recordings} recordings); per webhook delivery
remembered for deduplication 1 key, ${kB(perDelivery.bytes)} (${perDelivery.deliveries} deliveries).
`;
}
