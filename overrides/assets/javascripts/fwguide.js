// Accessibility: Material wraps each code block's buttons in an unnamed <nav>; a page with
// many of them has many identical landmarks (axe: landmark-unique). Name each one.
document$.subscribe(function () {
  var label = document.documentElement.lang === "fr" ? "Actions du bloc de code" : "Code block actions";
  document.querySelectorAll("nav.md-code__nav").forEach(function (nav, index) {
    nav.setAttribute("aria-label", label + " " + (index + 1));
  });
});
