// The admin's work queue: j/k move between groups, Enter follows the focused group's link.
document.addEventListener("keydown", (event) => {
  if (event.ctrlKey || event.metaKey || event.altKey) return;
  const target = event.target;
  if (target.closest("input, textarea, select, [contenteditable]")) return;
  if (event.key !== "j" && event.key !== "k") return;
  const links = Array.from(document.querySelectorAll("[data-queue] .queue-link"));
  if (!links.length) return;
  const current = links.indexOf(document.activeElement);
  const next = event.key === "j" ? Math.min(current + 1, links.length - 1) : Math.max(current - 1, 0);
  links[next].focus();
  links[next].scrollIntoView({block: "nearest"});
  event.preventDefault();
});
