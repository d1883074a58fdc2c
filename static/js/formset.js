// "Add another" for Django formsets: clones a <template> holding the formset's empty_form.
document.addEventListener("click", function (event) {
  const button = event.target.closest("[data-formset-add]");
  if (!button) return;
  const prefix = button.dataset.formsetAdd;
  const total = document.getElementById("id_" + prefix + "-TOTAL_FORMS");
  const max = document.getElementById("id_" + prefix + "-MAX_NUM_FORMS");
  const count = parseInt(total.value, 10);
  if (max && count >= parseInt(max.value, 10)) return;
  const template = document.getElementById(button.dataset.formsetTemplate);
  const html = template.innerHTML.replace(/__prefix__/g, String(count));
  document.getElementById(button.dataset.formsetTarget).insertAdjacentHTML("beforeend", html);
  total.value = count + 1;
});
