// Loads Office.js from Microsoft's CDN before the pane's own (deferred) modules, as Office expects,
// except inside the demo host (a same-origin parent exposing __demoHost) or with ?standalone.
// Outside Office with no network the script simply fails; the pane then runs stand-alone.
(function () {
  try {
    if (window.parent !== window && window.parent.__demoHost) return;
  } catch (e) {
    // A cross-origin parent: Office on the web hosting the pane.
  }
  if (/[?&]standalone(=|&|$)/.test(window.location.search)) return;
  window.__officeJsRequested = true;
  document.write('<script src="https://appsforoffice.microsoft.com/lib/1/hosted/office.js"></script>');
})();
