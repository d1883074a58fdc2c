// A change to the shortlist needs a reason: an arrow or ✕ clicked without one opens the entry's
// details and asks for it, instead of sending the change to be refused.
document.addEventListener("click", (event) => {
  const button = event.target.closest("button[form][name=action]");
  const form = button && document.getElementById(button.getAttribute("form"));
  const reason = form && form.elements.reason;
  if (!reason || reason.value.trim()) return;
  event.preventDefault();
  reason.classList.add("is-invalid");
  const detail = form.closest(".collapse");
  if (detail.classList.contains("show")) {
    reason.focus();
    return;
  }
  detail.addEventListener("shown.bs.collapse", () => reason.focus(), { once: true });
  bootstrap.Collapse.getOrCreateInstance(detail, { toggle: false }).show();
});
document.addEventListener("input", (event) => {
  if (event.target.name === "reason") event.target.classList.remove("is-invalid");
});
