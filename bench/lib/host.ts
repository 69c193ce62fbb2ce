/** The host app's backend: starts and stops a meeting's recording through the proxy, with a host token. */
import { createRecordingToken } from '../../src/server.ts';

export class Host {
  private constructor(
    private readonly proxyUrl: string,
    private readonly meetingId: string,
    /** Also good for a host's page of elements. */
    readonly token: string,
  ) {}

  static async of(proxyUrl: string, meetingId: string, secret: string): Promise<Host> {
    const token = await createRecordingToken(
      { meetingId, role: 'host', sub: 'host', name: 'Host', ttlSeconds: 3600 },
      secret,
    );
    return new Host(proxyUrl, meetingId, token);
  }

  /** Starts a recording; resolves to its id. */
  async start(): Promise<string> {
    const response = await this.send('POST', `/meetings/${this.meetingId}/recordings`, {});
    if (response.status !== 201) throw new Error(`start answered HTTP ${response.status}`);
    return ((await response.json()) as { id: string }).id;
  }

  async stop(recordingId: string): Promise<void> {
    const response = await this.send('PUT', `/recordings/${recordingId}`, { action: 'stop' });
    await response.body?.cancel();
    if (!response.ok) throw new Error(`stop answered HTTP ${response.status}`);
  }

  private send(method: string, path: string, body: unknown): Promise<Response> {
    return fetch(`${this.proxyUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${this.token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  }
}
