// The source viewer: marks the whole span a link lands on (#span-START-END), lists what a passage supports
// when it is clicked, hovered or focused, and turns the layers of highlights on and off.
(function () {
  "use strict";
  var text = document.getElementById("text");
  if (!text) return;
  var segments = Array.prototype.slice.call(text.querySelectorAll(".seg"));
  var notes = Array.prototype.slice.call(document.querySelectorAll("#annotations > li"));
  var panel = document.getElementById("passage-panel");
  var title = document.getElementById("passage-title");
  var hint = document.getElementById("passage-hint");
  var list = document.getElementById("passage-supports");

  function range(el) { return [parseInt(el.getAttribute("data-s"), 10), parseInt(el.getAttribute("data-e"), 10)]; }

  // Every annotated span that covers [start, end), innermost first.
  function covering(start, end) {
    return notes.filter(function (li) {
      return +li.getAttribute("data-start") <= start && end <= +li.getAttribute("data-end");
    }).sort(function (a, b) {
      return (a.getAttribute("data-end") - a.getAttribute("data-start")) -
             (b.getAttribute("data-end") - b.getAttribute("data-start"));
    });
  }

  // Every annotated span inside [start, end), in text order.
  function inside(start, end) {
    return notes.filter(function (li) {
      return start <= +li.getAttribute("data-start") && +li.getAttribute("data-end") <= end;
    });
  }

  function show(start, end, heading, whole) {
    var found = covering(start, end);
    if (whole) {
      inside(start, end).forEach(function (li) { if (found.indexOf(li) < 0) found.push(li); });
    }
    list.textContent = "";
    found.forEach(function (li) {
      var copy = li.cloneNode(true);
      copy.removeAttribute("data-start");
      copy.removeAttribute("data-end");
      list.appendChild(copy);
    });
    title.textContent = heading;
    hint.textContent = found.length ? (found.length === 1 ? "1 span" : found.length + " spans") +
      (whole ? " cover or lie in this span" : " cover this passage") + "; each supports the resources named." :
      "No annotated span covers this passage.";
    panel.classList.add("active");
  }

  function select(seg) {
    segments.forEach(function (s) { s.classList.remove("selected"); });
    seg.classList.add("selected");
    var r = range(seg);
    show(r[0], r[1], "Characters " + r[0] + "–" + r[1] + " support");
  }

  text.addEventListener("click", function (e) {
    var seg = e.target.closest(".seg");
    if (seg) select(seg);
  });
  text.addEventListener("mouseover", function (e) {
    var seg = e.target.closest(".seg");
    if (seg && !text.querySelector(".seg.selected")) {
      var r = range(seg);
      show(r[0], r[1], "Characters " + r[0] + "–" + r[1] + " support");
    }
  });
  text.addEventListener("keydown", function (e) {
    var seg = e.target.closest && e.target.closest(".seg");
    if (seg && (e.key === "Enter" || e.key === " ")) { e.preventDefault(); select(seg); }
  });

  // The span a link lands on: every piece of it marked, the first scrolled into view.
  function target() {
    var m = /^#span-(\d+)-(\d+)$/.exec(window.location.hash);
    segments.forEach(function (s) { s.classList.remove("target"); });
    if (!m) return;
    var start = +m[1], end = +m[2];
    var hit = segments.filter(function (s) { var r = range(s); return r[0] < end && r[1] > start; });
    hit.forEach(function (s) { s.classList.add("target"); });
    if (hit.length) {
      hit[0].scrollIntoView({ block: "center" });
      show(start, end, "The span " + start + "–" + end + " supports", true);
    }
  }
  window.addEventListener("hashchange", target);
  target();

  // Layers: a checkbox per kind of resource; an unticked layer is shown as plain text.
  document.querySelectorAll(".legend input[data-layer]").forEach(function (box) {
    box.addEventListener("change", function () {
      text.classList.toggle("hide-" + box.getAttribute("data-layer"), !box.checked);
    });
  });
})();
