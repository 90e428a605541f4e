// Small helpers for every page; no inline script anywhere (a Content-Security-Policy may forbid it).
// A button with data-copy copies that text (an IRI) to the clipboard and says so.
document.addEventListener("click", function (event) {
  var button = event.target.closest("button[data-copy]");
  if (!button) return;
  var text = button.getAttribute("data-copy");
  var done = function () {
    button.classList.add("done");
    button.textContent = "Copied";
    setTimeout(function () { button.classList.remove("done"); button.textContent = "Copy IRI"; }, 1500);
  };
  if (navigator.clipboard && window.isSecureContext) {
    navigator.clipboard.writeText(text).then(done, function () {});
  } else {
    var field = document.createElement("textarea");
    field.value = text;
    document.body.appendChild(field);
    field.select();
    try { document.execCommand("copy"); done(); } catch (e) { /* the IRI stays selectable beside the button */ }
    field.remove();
  }
});
