import { fromCallback } from 'xstate';
import type { UploadRunner } from './uploads';

/**
 * F2: runs the device's uploads while the link is live (invoked by `live`,
 * so a cut stops them and the next live resumes them). Each file that
 * finishes may unblock the outbox (F3: a message waits for its files), so
 * it tells the machine to plan again.
 */
export const uploaderActor = fromCallback<{ type: 'NONE' }, { uploads: UploadRunner | undefined }>(({ input, sendBack }) => {
  if (!input.uploads) return undefined;
  return input.uploads.run(() => sendBack({ type: 'OUTBOX.CHANGED' }));
});
