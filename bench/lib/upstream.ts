/**
 * What the bench asks of the simulator directly, as Dyte's own API would be asked (v2, Basic auth) or
 * through its `/_sim/` control plane: recordings, participants, webhook registrations, request counts.
 */
import { WEBHOOK_EVENTS } from '../../src/proxy/webhooks.ts';

export interface UpstreamCounts {
  total: number;
  requests: Record<string, number>;
}

export class SimulatorClient {
  private readonly auth: string;

  constructor(
    private readonly url: string,
    orgId: string,
    apiKey: string,
  ) {
    this.auth = `Basic ${Buffer.from(`${orgId}:${apiKey}`).toString('base64')}`;
  }

  /** Starts a recording in `meetingId`; resolves to its id. */
  async startRecording(meetingId: string): Promise<string> {
    const data = (await this.v2('POST', '/recordings', { meeting_id: meetingId })) as { id: string };
    return data.id;
  }

  async control(recordingId: string, action: 'stop' | 'pause' | 'resume'): Promise<void> {
    await this.v2('PUT', `/recordings/${recordingId}`, { action });
  }

  async registerWebhook(url: string): Promise<void> {
    await this.v2('POST', '/webhooks', { name: 'bench', url, events: WEBHOOK_EVENTS });
  }

  /** Someone joins the meeting (so the empty-room auto-stop stays away). */
  async join(meetingId: string, name: string): Promise<void> {
    await this.call('POST', `/_sim/meetings/${meetingId}/participants`, { name });
  }

  /** Dyte API requests received since the last reset, by route. */
  async counts(): Promise<UpstreamCounts> {
    return (await this.call('GET', '/_sim/stats')) as UpstreamCounts;
  }

  async resetCounts(): Promise<void> {
    await this.call('DELETE', '/_sim/stats');
  }

  private async v2(method: string, path: string, body: unknown): Promise<unknown> {
    return ((await this.call(method, `/v2${path}`, body, { authorization: this.auth })) as { data: unknown })
      .data;
  }

  private async call(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<unknown> {
    const response = await fetch(`${this.url}${path}`, {
      method,
      headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`simulator ${method} ${path}: HTTP ${response.status} ${text}`);
    return text === '' ? null : JSON.parse(text);
  }
}
