/**
 * The Whisper mark and name. The mark is the same drawing as the app icons
 * (client/scripts/make-icons.ts), simplified to flat colours for small sizes.
 */
export function Brand() {
  return (
    <span className="flex items-center gap-2.5">
      <BrandMark />
      <span className="text-lg font-semibold tracking-tight text-ink">Whisper</span>
    </span>
  );
}

function BrandMark() {
  return (
    <svg viewBox="0 0 512 512" className="size-8 shrink-0" aria-hidden="true" focusable="false">
      <rect width="512" height="512" rx="112" className="fill-accent" />
      <rect x="112" y="120" width="288" height="220" rx="80" fill="#ffffff" />
      <path d="M170 312 L140 396 Q190 372 240 336 Z" fill="#ffffff" />
      <circle cx="196" cy="230" r="22" className="fill-accent" />
      <circle cx="256" cy="230" r="22" className="fill-accent" fillOpacity="0.75" />
      <circle cx="316" cy="230" r="22" className="fill-accent" fillOpacity="0.5" />
    </svg>
  );
}
