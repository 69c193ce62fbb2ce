/** The Vue page's state and its typed handlers of the elements' events (App.vue binds them). */
import { onMounted, onUnmounted, ref } from 'vue';
import type { DyteRecordingEvents } from 'dyte-recording-kit';
import {
  addParticipant,
  describeEvent,
  logged,
  outageActive,
  removeParticipant,
  setOutage,
  watchParticipants,
} from '../shared/demo.ts';
import type { DemoPage, Participant } from '../shared/demo.ts';

export function useMeeting(page: DemoPage) {
  const participants = ref<Participant[]>([]);
  const events = ref<string[]>([]);
  const outage = ref(false);
  const busy = ref(false);
  const log = (text: string) => (events.value = logged(events.value, text));
  let room: ReturnType<typeof watchParticipants> | undefined;

  onMounted(async () => {
    room = watchParticipants(page.meetingId, (list) => (participants.value = list));
    outage.value = await outageActive();
  });
  onUnmounted(() => room?.stop());

  const act = async (action: () => Promise<unknown>) => {
    busy.value = true;
    try {
      await action();
      await room?.refresh();
    } catch (error) {
      log(`demo: ${(error as Error).message}`);
    } finally {
      busy.value = false;
    }
  };

  return {
    participants,
    events,
    outage,
    busy,
    add: () => act(() => addParticipant(page.meetingId)),
    remove: () => act(() => removeParticipant(page.meetingId, participants.value)),
    toggleOutage: () => act(async () => (outage.value = await setOutage(!outage.value))),
    onStart: (event: DyteRecordingEvents['dyte-recording-start']) =>
      log(describeEvent['dyte-recording-start'](event)),
    onStop: (event: DyteRecordingEvents['dyte-recording-stop']) =>
      log(describeEvent['dyte-recording-stop'](event)),
    onError: (event: DyteRecordingEvents['dyte-recording-error']) =>
      log(describeEvent['dyte-recording-error'](event)),
    onAcknowledge: (event: DyteRecordingEvents['dyte-recording-acknowledge']) =>
      log(describeEvent['dyte-recording-acknowledge'](event)),
    onLeave: (event: DyteRecordingEvents['dyte-recording-leave']) =>
      log(describeEvent['dyte-recording-leave'](event)),
  };
}
