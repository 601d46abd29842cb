import { memo } from 'react';
import { snippetParts } from '../snippet';

/** A hit's snippet: plain text with its matches highlighted; never parsed as HTML (snippet.ts). */
export const SnippetText = memo(function SnippetText({ snippet }: { snippet: string }) {
  return (
    <>
      {snippetParts(snippet).map((part, i) =>
        part.mark ? (
          <mark key={i} className="rounded-sm bg-amber-200 px-0.5 text-inherit dark:bg-amber-400/30">
            {part.text}
          </mark>
        ) : (
          part.text
        ),
      )}
    </>
  );
});
