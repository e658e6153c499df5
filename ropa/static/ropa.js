// Small progressive enhancements; every page works without this file.
document.addEventListener("DOMContentLoaded", () => {
  // Move focus to an error summary so screen-reader and keyboard users hear what went wrong first.
  const summary = document.querySelector(".error-summary");
  if (summary) summary.focus();
  // Buttons that ask before doing something that cannot be undone from the page.
  document.querySelectorAll("[data-confirm]").forEach((el) => {
    el.addEventListener("click", (event) => { if (!window.confirm(el.dataset.confirm)) event.preventDefault(); });
  });
  // A page that shows a running job reloads itself until the job ends.
  const refresh = document.querySelector("[data-refresh-seconds]");
  if (refresh) setTimeout(() => window.location.reload(), 1000 * Number(refresh.dataset.refreshSeconds));
});
