/* Grading page: show the score of the chosen levels as soon as they are chosen.
   Progressive enhancement: without this script the page shows the score of the levels it was
   rendered with, and the server computes the score it saves in any case. Loaded as a file
   (the Content-Security-Policy allows no inline script). */
(function () {
  "use strict";

  var form = document.getElementById("grade-form");
  var status = document.getElementById("live-score");
  if (!form || !status) {
    return;
  }
  var max = Number(status.getAttribute("data-max"));
  var passMark = Number(status.getAttribute("data-pass-mark"));
  var criteria = Number(status.getAttribute("data-criteria"));

  function part(name) {
    return status.querySelector('[data-live="' + name + '"]');
  }

  function show(name, visible) {
    part(name).hidden = !visible;
  }

  function update() {
    var score = 0;
    var chosen = 0;
    var unsaved = false;
    var radios = form.querySelectorAll("input[type=radio][data-points]");
    for (var i = 0; i < radios.length; i += 1) {
      var radio = radios[i];
      if (radio.checked) {
        score += Number(radio.getAttribute("data-points"));
        chosen += 1;
      }
      if (radio.checked !== radio.hasAttribute("data-saved")) {
        unsaved = true;
      }
    }
    var complete = criteria > 0 && chosen === criteria;
    var passes = complete && score * 100 >= passMark * max;
    part("score").textContent = chosen ? String(score) : "–";
    part("chosen").textContent = String(chosen);
    show("passed", complete && passes);
    show("failed", complete && !passes);
    show("incomplete", !complete);
    show("unsaved", unsaved);
  }

  form.addEventListener("change", update);
  update();
})();
