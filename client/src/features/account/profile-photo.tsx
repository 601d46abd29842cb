import type { User } from '@whisper/protocol';
import { useEffect, useRef, useState, type ChangeEvent } from 'react';
import { uploadAvatar } from '../../shared/sync/avatar-upload';
import { useEngine } from '../../shared/sync/engine-context';
import { Avatar } from '../../shared/ui/avatar';
import { primeAvatar } from '../../shared/ui/avatar-image';
import { DANGER_QUIET_BUTTON, OUTLINE_BUTTON, PRIMARY_BUTTON, QUIET_BUTTON } from '../../shared/ui/buttons';
import { avatarErrorText } from './error-text';

/** What the file picker offers: the image types the server takes (F1). */
const IMAGE_TYPES = 'image/jpeg,image/png,image/webp,image/gif';

/**
 * A5: the profile picture. A picked image is previewed (cropped to the
 * circle, as others will see it) until Save or Cancel; Save uploads it and
 * sets it (PATCH /v1/me), so, like the display name, it needs a connection:
 * offline, Save and Remove are disabled with a note saying why, and the
 * picked image stays in the preview until the connection is back.
 */
export function ProfilePhoto({ profile, online }: { profile: User; online: boolean }) {
  const engine = useEngine();
  const input = useRef<HTMLInputElement>(null);
  const [picked, setPicked] = useState<{ file: File; url: string | null } | null>(null);
  const [state, setState] = useState<{ busy: boolean; error?: string }>({ busy: false });
  const pickedUrl = picked?.url;
  useEffect(() => () => void (pickedUrl && URL.revokeObjectURL(pickedUrl)), [pickedUrl]);

  function pick(event: ChangeEvent<HTMLInputElement>) {
    const file = event.target.files?.[0];
    // The same file can be picked again after Cancel.
    event.target.value = '';
    if (!file) return;
    setState({ busy: false });
    // jsdom has no object URLs: the initials stand in for the preview there.
    setPicked({ file, url: typeof URL.createObjectURL === 'function' ? URL.createObjectURL(file) : null });
  }

  async function save(image: File | null) {
    setState({ busy: true });
    try {
      const me = await engine.account.setAvatar(image && ((origin, token) => uploadAvatar(origin, token, image)));
      // Shown at once everywhere from the bytes here, with no download of what was just sent.
      if (image && me.avatar) primeAvatar(me.avatar, image);
      setPicked(null);
      setState({ busy: false });
    } catch (error) {
      setState({ busy: false, error: avatarErrorText(error) });
    }
  }

  const disabled = state.busy || !online;
  return (
    <section aria-label="Profile photo" className="flex items-center gap-4">
      {picked?.url ? (
        <img src={picked.url} alt="Preview of your new photo" className="size-16 shrink-0 rounded-full object-cover" />
      ) : (
        <Avatar name={profile.display_name} color={profile.color} avatar={picked ? null : profile.avatar} size="lg" />
      )}
      <div className="flex min-w-0 flex-col gap-1.5">
        <input ref={input} type="file" accept={IMAGE_TYPES} onChange={pick} className="sr-only" tabIndex={-1} aria-label="Choose a photo" />
        <div className="flex flex-wrap gap-2">
          {picked ? (
            <>
              <button type="button" disabled={disabled} onClick={() => void save(picked.file)} className={PRIMARY_BUTTON}>
                {state.busy ? 'Saving…' : 'Save photo'}
              </button>
              <button type="button" disabled={state.busy} onClick={() => setPicked(null)} className={QUIET_BUTTON}>
                Cancel
              </button>
            </>
          ) : (
            <>
              <button type="button" disabled={state.busy} onClick={() => input.current?.click()} className={OUTLINE_BUTTON}>
                Change photo
              </button>
              {profile.avatar && (
                <button type="button" disabled={disabled} onClick={() => void save(null)} className={DANGER_QUIET_BUTTON}>
                  {state.busy ? 'Removing…' : 'Remove photo'}
                </button>
              )}
            </>
          )}
        </div>
        {!online && <p className="text-xs text-ink-muted">You’re offline. Your photo is kept on the server, so changing it needs a connection.</p>}
        {state.error && (
          <p role="alert" className="text-sm text-red-700 dark:text-red-300">
            {state.error}
          </p>
        )}
      </div>
    </section>
  );
}
