// Start the NHS.UK frontend components (header menu, error summary focus, etc.). `make install` bundles this file
// with the NHS.UK frontend into one minified script, served as build/cultivate.js (ADR 00XX asset pipeline).
import { initAll } from "nhsuk-frontend";

initAll();

// Pages showing work in progress (an import) mark a region with data-app-refresh="<seconds>". We fetch the page
// again and swap in the new main content, rather than reloading, so focus and scroll stay where the reader left
// them; polling stops when the work is done or the reader turns updates off (the page then lacks the attribute).
function pollForUpdates() {
  const region = document.querySelector("[data-app-refresh]");
  if (!region) return;
  const seconds = Math.max(2, Number(region.getAttribute("data-app-refresh")) || 3);
  window.setTimeout(async () => {
    try {
      const response = await fetch(window.location.href, { headers: { "X-Requested-With": "fetch" } });
      if (!response.ok) return;
      const next = new DOMParser().parseFromString(await response.text(), "text/html");
      const fresh = next.querySelector("main");
      const main = document.querySelector("main");
      if (fresh && main) {
        main.innerHTML = fresh.innerHTML;
        initAll({ scope: main });
      }
    } catch (error) {
      return; // A dropped connection: the reader can still refresh by hand.
    }
    pollForUpdates();
  }, seconds * 1000);
}

pollForUpdates();
