/**
 * Size limits of a message. Temporal refuses payloads above 2 MB and warns from 512 KB; a message is
 * carried in several payloads (the send update, one signal per recipient, the mailbox's carried
 * state), so a body stays far below that.
 */
export const MAX_SUBJECT_CHARS = 200;
export const MAX_BODY_BYTES = 64 * 1024;
export const MAX_RECIPIENTS = 50;
/**
 * System notices from pattern workflows may name a whole team (an emergency's responders): the cap on
 * people's sends keeps agents from spamming, which does not apply to Baton's own notices.
 */
export const MAX_NOTICE_RECIPIENTS = 1000;
export const MAX_IDEMPOTENCY_KEY_CHARS = 128;
/** One push wait answers within this many seconds; longer waits are made of several. */
export const MAX_WAIT_SECONDS = 300;
/**
 * At most this many waits of one member are open at once (below Temporal's default of 10 updates in
 * flight per workflow); a further wait is admitted and the oldest answered `superseded`.
 */
export const MAX_OPEN_WAITS = 8;

/** UTF-8 length without TextEncoder or Buffer, so the same check runs in the workflow sandbox. */
export function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        bytes += 4;
        i++;
      } else bytes += 3;
    } else bytes += 3;
  }
  return bytes;
}
