// Progressive enhancement only: every core action works without JavaScript. No inline script (the CSP forbids it).
import { initAll } from '/lib/govuk-frontend.min.js';

document.body.classList.add('js-enabled', 'govuk-frontend-supported');
initAll();
