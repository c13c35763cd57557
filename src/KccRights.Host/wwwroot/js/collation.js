// The case page's collection progress refreshes itself while collation runs (issue 11): every 3 seconds the section is
// fetched from /cases/{reference}/collation and its progress swapped into the polite live region, until no system is
// queued or running. Without JavaScript the section has a "Refresh" link. No inline script (the CSP forbids it).
const intervalMs = 3000;

function schedule(body) {
  const url = body && body.getAttribute('data-refresh-url');
  if (!url) {
    return;
  }

  window.setTimeout(async () => {
    let next = body;
    try {
      const response = await fetch(url, { credentials: 'same-origin', headers: { Accept: 'text/html' }, cache: 'no-store' });
      if (!response.ok || response.redirected) {
        // Signed out, refused or gone: stop; the "Refresh" link still works.
        return;
      }

      const html = await response.text();
      const fresh = new DOMParser().parseFromString(html, 'text/html').getElementById('collation-progress-body');
      if (fresh) {
        next = document.importNode(fresh, true);
        body.replaceWith(next);
      }
    } catch {
      // A network blip: try again at the next tick.
    }

    schedule(next);
  }, intervalMs);
}

schedule(document.getElementById('collation-progress-body'));
