/** The React demo page: the kit's React wrappers (`dyte-recording-kit/react`) in a meeting layout. */
import { StrictMode, useEffect, useRef, useState } from 'react';
import type { CSSProperties } from 'react';
import { createRoot } from 'react-dom/client';
import { RecordButton, RecordingList, RecordingNotice, RecordingStatus } from 'dyte-recording-kit/react';
import {
  addParticipant,
  describeEvent,
  emptyTimeoutSeconds,
  ENDPOINT,
  hue,
  initials,
  limitsNote,
  loadDemoPage,
  logged,
  outageActive,
  removeParticipant,
  roleHref,
  setOutage,
  watchParticipants,
} from '../shared/demo.ts';
import type { DemoPage, Participant } from '../shared/demo.ts';

function Meeting({ page }: { page: DemoPage }) {
  const [participants, setParticipants] = useState<Participant[]>([]);
  const [events, setEvents] = useState<string[]>([]);
  const [outage, setOutageShown] = useState(false);
  const [busy, setBusy] = useState(false);
  const room = useRef<ReturnType<typeof watchParticipants>>(null);
  const log = (text: string) => setEvents((lines) => logged(lines, text));

  useEffect(() => {
    room.current = watchParticipants(page.meetingId, setParticipants);
    void outageActive().then(setOutageShown);
    return () => room.current?.stop();
  }, [page.meetingId]);

  const act = async (action: () => Promise<unknown>) => {
    setBusy(true);
    try {
      await action();
      await room.current?.refresh();
    } catch (error) {
      log(`demo: ${(error as Error).message}`);
    } finally {
      setBusy(false);
    }
  };

  // Every element takes the same three things: the meeting, the proxy, and where tokens come from.
  const live = { meetingId: page.meetingId, endpoint: ENDPOINT, tokenProvider: page.tokenProvider };
  return (
    <div className="app">
      <header className="topbar">
        <div className="title">
          <h1>Weekly design review</h1>
          <span>
            Meeting {page.meetingId} · as {page.role}
          </span>
        </div>
        <RecordingStatus className="status" {...live} />
        <nav className="switch" aria-label="Demo pages">
          <span>Page</span>
          <a href="/">HTML</a>
          <a href="/react/" aria-current="page">
            React
          </a>
          <a href="/vue/">Vue</a>
        </nav>
        <nav className="switch" aria-label="Role">
          <span>Join as</span>
          {(['host', 'viewer'] as const).map((role) => (
            <a key={role} href={roleHref(role)} aria-current={role === page.role ? 'page' : undefined}>
              {role === 'host' ? 'Host' : 'Viewer'}
            </a>
          ))}
        </nav>
      </header>
      <p className="note">{limitsNote(page.limits)}</p>
      {page.role === 'viewer' && (
        <RecordingNotice
          {...live}
          leaveAction
          onRecordingAcknowledge={(e) => log(describeEvent['dyte-recording-acknowledge'](e))}
          onRecordingLeave={(e) => log(describeEvent['dyte-recording-leave'](e))}
        />
      )}
      <main className="stage" aria-label="Participants">
        {participants.length === 0 ? (
          <p className="empty-room">
            Everyone left. A running recording stops {emptyTimeoutSeconds(page.limits)} s after the room
            empties.
          </p>
        ) : (
          participants.map((participant) => (
            <div
              key={participant.id}
              className="tile"
              style={{ '--hue': hue(participant.name) } as CSSProperties}
            >
              <span className="avatar">{initials(participant.name)}</span>
              <span className="name">{participant.name}</span>
            </div>
          ))
        )}
      </main>
      <aside className="panel">
        <h2>Recordings</h2>
        <RecordingList {...live} onRecordingError={(e) => log(describeEvent['dyte-recording-error'](e))} />
        <ul className="events" aria-label="Events fired by the elements">
          {events.map((line, index) => (
            <li key={index}>{line}</li>
          ))}
        </ul>
      </aside>
      <footer className="bar">
        <div className="group">
          <RecordButton
            {...live}
            whenForbidden="disabled"
            onRecordingStart={(e) => log(describeEvent['dyte-recording-start'](e))}
            onRecordingStop={(e) => log(describeEvent['dyte-recording-stop'](e))}
            onRecordingError={(e) => log(describeEvent['dyte-recording-error'](e))}
          />
        </div>
        <div className="group demo-controls" role="group" aria-label="Demo controls">
          <span className="hint">Demo</span>
          <button disabled={busy} onClick={() => act(() => addParticipant(page.meetingId))}>
            Add participant
          </button>
          <button
            disabled={busy || participants.length === 0}
            onClick={() => act(() => removeParticipant(page.meetingId, participants))}
          >
            Remove participant
          </button>
          <button
            className="outage"
            aria-pressed={outage}
            disabled={busy}
            onClick={() => act(async () => setOutageShown(await setOutage(!outage)))}
          >
            {outage ? 'Restore upstream' : 'Inject upstream failure'}
          </button>
        </div>
      </footer>
    </div>
  );
}

const page = await loadDemoPage();
createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <Meeting page={page} />
  </StrictMode>,
);
