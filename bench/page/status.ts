/** How a bench page tells the bench what each of its watchers last saw (read with page.evaluate). */
declare global {
  interface Window {
    /** The newest recording's status as each watcher on the page last saw it (null: none yet). */
    benchStatuses?: () => (string | null)[];
  }
}

export function exposeStatuses(statuses: () => (string | null)[]): void {
  window.benchStatuses = statuses;
}

/** The page's parameters: `?meeting=…&token=…&count=…`. */
export function pageParams() {
  const params = new URLSearchParams(location.search);
  return {
    meetingId: params.get('meeting') ?? '',
    token: params.get('token') ?? '',
    count: Number(params.get('count')),
  };
}

export const ENDPOINT = '/api';
