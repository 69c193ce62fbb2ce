/**
 * What `GET /metrics` shows (Prometheus text format, prom-client), one registry per proxy: requests by
 * route and status, open streams, upstream calls by outcome, webhook deliveries by outcome, rate-limit
 * refusals by scope, and how long an event takes to reach every stream of this instance.
 */
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { EventBus } from './bus.ts';

export class ProxyMetrics {
  readonly registry = new Registry();
  /** Answers by route, method and status, counted here and handed to prom-client when scraped. */
  private readonly answered = new Map<string, Map<string, Map<number, number>>>();
  readonly requests = new Counter({
    name: 'drk_http_requests_total',
    help: 'Browser, webhook and health requests, by route template, method and status.',
    labelNames: ['route', 'method', 'status'] as const,
    registers: [this.registry],
    collect: () => {
      this.requests.reset();
      for (const [route, methods] of this.answered) {
        for (const [method, statuses] of methods) {
          for (const [status, count] of statuses) this.requests.inc({ route, method, status }, count);
        }
      }
    },
  });
  readonly openStreams = new Gauge({
    name: 'drk_open_streams',
    help: 'Event streams open on this instance.',
    registers: [this.registry],
  });
  readonly upstreamCalls = new Counter({
    name: 'drk_upstream_requests_total',
    help: 'Calls to the upstream API, by method and outcome (ok, rejected, rate_limited, server_error, timeout, network).',
    labelNames: ['method', 'outcome'] as const,
    registers: [this.registry],
  });
  readonly webhooks = new Counter({
    name: 'drk_webhook_deliveries_total',
    help: 'Webhook deliveries, by outcome (accepted, rejected, deduplicated).',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });
  readonly refusals = new Counter({
    name: 'drk_rate_limited_total',
    help: 'Requests refused with 429 rate_limited, by budget (subject, address, webhooks, upstream).',
    labelNames: ['scope'] as const,
    registers: [this.registry],
  });
  readonly fanout = new Histogram({
    name: 'drk_fanout_seconds',
    help: "Time to publish one event to the meeting's bus, which includes handing it to every stream on this instance.",
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    registers: [this.registry],
  });

  /**
   * The counter of `route`'s answers. On every request's path, so a map entry is bumped (no key is
   * put together) rather than prom-client's labelled counter, which hashes and checks its labels on
   * every increment.
   */
  answersOf(route: string): (method: string, status: number) => void {
    let methods = this.answered.get(route);
    if (!methods) this.answered.set(route, (methods = new Map()));
    const routeMethods = methods;
    return (method, status) => {
      let statuses = routeMethods.get(method);
      if (!statuses) routeMethods.set(method, (statuses = new Map()));
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
    };
  }

  /** The bus, with every publish timed into the fan-out histogram. */
  timed(bus: EventBus): EventBus {
    return {
      publish: async (meetingId, event) => {
        const end = this.fanout.startTimer();
        try {
          return await bus.publish(meetingId, event);
        } finally {
          end();
        }
      },
      subscribe: (meetingId, listener) => bus.subscribe(meetingId, listener),
      lastId: (meetingId) => bus.lastId(meetingId),
      since: (meetingId, afterId) => bus.since(meetingId, afterId),
    };
  }
}
