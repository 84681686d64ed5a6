// Accessibility: Material wraps each code block's buttons in an unnamed <nav>; a page with
// many of them has many identical landmarks (axe: landmark-unique). Name each one.
document$.subscribe(function () {
  var label = document.documentElement.lang === "fr" ? "Actions du bloc de code" : "Code block actions";
  document.querySelectorAll("nav.md-code__nav").forEach(function (nav, index) {
    nav.setAttribute("aria-label", label + " " + (index + 1));
  });
});

// Accessibility: a table wider than the page scrolls inside Material's wrapper, which a
// keyboard can only scroll once it can take the focus (axe: scrollable-region-focusable).
document$.subscribe(function () {
  var label = document.documentElement.lang === "fr" ? "Tableau défilant" : "Scrolling table";
  document.querySelectorAll(".md-typeset__scrollwrap").forEach(function (wrap) {
    if (wrap.scrollWidth > wrap.clientWidth && !wrap.hasAttribute("tabindex")) {
      wrap.setAttribute("tabindex", "0");
      wrap.setAttribute("role", "region");
      wrap.setAttribute("aria-label", label);
    }
  });
});
