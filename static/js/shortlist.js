// A change to the shortlist needs a reason: an arrow or ✕ clicked without one asks for it,
// instead of sending the change to be refused.
document.addEventListener("click", (event) => {
  const button = event.target.closest("button[name=action]");
  const form = button && button.form;
  const reason = form && form.elements.reason;
  if (!reason || reason.value.trim()) return;
  event.preventDefault();
  reason.classList.add("is-invalid");
  // The arrows sit in the person's open details, beside the reason: ask for it there.
  reason.focus();
});
document.addEventListener("input", (event) => {
  if (event.target.name === "reason") event.target.classList.remove("is-invalid");
});
