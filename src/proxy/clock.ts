/** The time as ISO text, made once per millisecond however many answers and log lines share it. */
let madeAtMs = 0;
let made = '';

export function isoNow(): string {
  const ms = Date.now();
  if (ms !== madeAtMs) {
    madeAtMs = ms;
    made = new Date(ms).toISOString();
  }
  return made;
}
