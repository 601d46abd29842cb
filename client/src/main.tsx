import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app/app';
import './index.css';

const ROOT_ELEMENT_ID = 'root';

const container = document.getElementById(ROOT_ELEMENT_ID);
if (!container) throw new Error(`index.html has no #${ROOT_ELEMENT_ID} element`);

createRoot(container).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
