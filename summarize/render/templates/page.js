/* The HTML reader: a claim's data-evidence lists the ids of its evidence sentences in the article pane.
   Clicking a claim (or Enter/Space on it) highlights them and scrolls the first into view; again, or Escape, clears. */
(function () {
  "use strict";
  document.documentElement.classList.add("js");
  var active = null;
  var reduce = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  var motion = reduce ? "auto" : "smooth";

  var revealing = 0;

  function inView(el) {
    var box = el.getBoundingClientRect();
    return box.bottom > 0 && box.top < window.innerHeight;
  }

  // Scroll an element to the middle of its pane; a smooth scroll that another scroll cut short (Chromium drops
  // one started while an earlier one is still running) is finished by a jump.
  function reveal(el) {
    var token = ++revealing;
    el.scrollIntoView({ block: "center", inline: "nearest", behavior: motion });
    if (motion === "smooth") {
      window.setTimeout(function () {
        if (token === revealing && !inView(el)) el.scrollIntoView({ block: "center", inline: "nearest" });
      }, 1200);
    }
  }

  function clear() {
    var lit = document.querySelectorAll(".s.hl");
    for (var i = 0; i < lit.length; i++) lit[i].classList.remove("hl", "hl-first");
    if (active) active.classList.remove("active");
    active = null;
  }

  function select(claim, toggle, shown) {
    if (toggle && claim === active) {
      clear();
      return;
    }
    clear();
    var ids = (claim.getAttribute("data-evidence") || "").split(" ");
    var first = null;
    for (var i = 0; i < ids.length; i++) {
      var sentence = ids[i] ? document.getElementById(ids[i]) : null;
      if (!sentence) continue;
      sentence.classList.add("hl");
      if (!first) first = sentence;
    }
    active = claim;
    claim.classList.add("active");
    var goal = shown || first;
    if (goal) {
      goal.classList.add("hl-first");
      reveal(goal);
    }
  }

  document.addEventListener("click", function (event) {
    var target = event.target;
    if (!(target instanceof Element)) return;
    var claim = target.closest("[data-evidence]");
    if (claim) {
      var link = target.closest("a");
      if (link && !link.classList.contains("ref")) return; // an ordinary link inside a claim
      event.preventDefault();
      var shown = link ? document.getElementById((link.getAttribute("href") || "").slice(1)) : null;
      select(claim, !link, shown);
      return;
    }
    // A highlighted sentence leads back to the claim it supports (useful when the panes are stacked).
    if (active && target.closest(".s.hl")) {
      reveal(active);
      active.focus({ preventScroll: true });
    }
  });

  document.addEventListener("keydown", function (event) {
    var target = event.target;
    if (!(target instanceof Element) || !target.matches("[data-evidence]")) return;
    if (event.key === "Enter" || event.key === " ") {
      event.preventDefault();
      select(target, true, null);
    } else if (event.key === "Escape" && active) {
      clear();
    }
  });
})();
