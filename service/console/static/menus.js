// The header's section menus are <details> and work without this file. With it, Escape closes the
// open menu (focus back on its title) and a click elsewhere on the page closes it, as menus usually do.
document.addEventListener("keydown", (event) => {
  if (event.key !== "Escape") return;
  const open = document.querySelector("nav details.menu[open]");
  if (!open) return;
  open.removeAttribute("open");
  open.querySelector("summary").focus();
});
document.addEventListener("click", (event) => {
  for (const open of document.querySelectorAll("nav details.menu[open]")) {
    if (!open.contains(event.target)) open.removeAttribute("open");
  }
});
