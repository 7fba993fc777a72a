// Sets the theme class on <html> before React starts, so a dark-mode user
// never sees a white flash. Keep in sync with src/lib/theme.ts.
(function () {
  try {
    var t = localStorage.getItem("downlink-theme") || "system";
    var dark = t === "dark" || (t === "system" && window.matchMedia("(prefers-color-scheme: dark)").matches);
    document.documentElement.classList.toggle("dark", dark);
  } catch (e) {}
})();
