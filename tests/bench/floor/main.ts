/**
 * The floor of the start-up comparison (tests/bench/startup.ts): what React
 * 19 on Vite costs before an app adds anything, a heading and a button that
 * counts, as `npm create vite` (react-ts) gives it, minus the logos.
 *
 * createElement rather than JSX: the repository's root tsconfig type-checks
 * tests/ without a JSX setting. The bundle is the same (JSX compiles to the
 * same react/jsx-runtime calls).
 */
import { createElement as h, StrictMode, useState } from 'react';
import { createRoot } from 'react-dom/client';

function App() {
  const [count, setCount] = useState(0);
  return h(
    'main',
    { style: { fontFamily: 'system-ui, sans-serif', padding: '2rem' } },
    h('h1', null, 'Vite + React'),
    h('button', { type: 'button', onClick: () => setCount((c) => c + 1) }, `count is ${count}`),
  );
}

createRoot(document.getElementById('root')!).render(h(StrictMode, null, h(App)));
