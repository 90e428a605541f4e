// Small helpers for every page; no inline script anywhere (a Content-Security-Policy may forbid it).
// A button with data-copy copies that text (an IRI) to the clipboard and says so.
(function () {
  "use strict";
  function done(button) {
    button.classList.add("done");
    button.textContent = "Copied";
    setTimeout(function () { button.classList.remove("done"); button.textContent = "Copy IRI"; }, 1500);
  }
  function fallback(button, text) {
    var field = document.createElement("textarea");
    field.value = text;
    field.setAttribute("readonly", "");
    document.body.appendChild(field);
    field.select();
    var copied = false;
    try { copied = document.execCommand("copy"); } catch (e) { copied = false; }
    field.remove();
    if (copied) done(button);
    else button.textContent = "Select the IRI to copy it";
  }
  document.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-copy]");
    if (!button) return;
    var text = button.getAttribute("data-copy");
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(function () { done(button); }, function () { fallback(button, text); });
    } else {
      fallback(button, text);
    }
  });
})();
