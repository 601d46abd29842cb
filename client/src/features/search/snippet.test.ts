import { describe, expect, it } from 'vitest';
import { escapeHtml, snippetParts } from './snippet';

describe('search snippets', () => {
  it('[Q3] splits on the mark tags: the matches are the marked parts', () => {
    expect(snippetParts('we <mark>meet</mark> at <mark>noon</mark>')).toEqual([
      { text: 'we ', mark: false },
      { text: 'meet', mark: true },
      { text: ' at ', mark: false },
      { text: 'noon', mark: true },
    ]);
  });

  it('[Q3] decodes the five entities the server writes, and only those', () => {
    expect(snippetParts('a &amp; b &lt;i&gt; &quot;q&quot; it&#39;s &nbsp; &amp;lt;')).toEqual([{ text: 'a & b <i> "q" it\'s &nbsp; &lt;', mark: false }]);
  });

  it('[Q3] markup other than the marks stays text, never HTML', () => {
    const parts = snippetParts('<img src=x onerror=alert(1)> <mark>hi</mark> <b>bold</b>');
    expect(parts).toEqual([
      { text: '<img src=x onerror=alert(1)> ', mark: false },
      { text: 'hi', mark: true },
      { text: ' <b>bold</b>', mark: false },
    ]);
  });

  it('[Q3] an unclosed mark runs to the end; empty parts are dropped', () => {
    expect(snippetParts('<mark></mark>x <mark>y')).toEqual([
      { text: 'x ', mark: false },
      { text: 'y', mark: true },
    ]);
  });

  it('[Q2] escapes as the server does, so local snippets read back to the same text', () => {
    const text = `<a href="x">Tom & Jerry's</a>`;
    expect(snippetParts(escapeHtml(text))).toEqual([{ text, mark: false }]);
  });
});
