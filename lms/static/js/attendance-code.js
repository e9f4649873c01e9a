/* Attendance sheet: keep the code panel current. Every few seconds, ask the server for the
   code of the current 30-second step and its QR code, and swap them in. Without this script the
   page shows the code it was rendered with and a link to reload it. Loaded as a file (the
   Content-Security-Policy allows no inline script). */
(function () {
  "use strict";

  var panel = document.getElementById("code-panel");
  if (!panel || !window.fetch) {
    return;
  }
  var digits = document.getElementById("code-digits");
  var qr = document.getElementById("code-qr");
  var url = panel.getAttribute("data-url");
  var shown = digits.textContent.replace(/\s/g, "");

  function refresh() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        return response.ok ? response.json() : null;
      })
      .then(function (data) {
        if (!data) {
          return;
        }
        if (!data.open) {
          window.location.reload();
          return;
        }
        if (data.code !== shown) {
          shown = data.code;
          digits.textContent = data.code.slice(0, 3) + " " + data.code.slice(3);
          qr.src = data.qr;
        }
      })
      .catch(function () {
        /* Offline for a moment: the next poll tries again. */
      });
  }

  window.setInterval(refresh, 3000);
})();
