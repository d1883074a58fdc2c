// Behaviour that once sat in inline attributes: the Content-Security-Policy runs no inline
// script and applies no inline style, so pages mark elements with data-* and this file acts.

// <select data-autosubmit>: choosing a value submits its form.
document.addEventListener("change", (event) => {
  const select = event.target.closest("[data-autosubmit]");
  if (select && select.form) select.form.submit();
});

// <form data-confirm="question">: ask before sending.
document.addEventListener("submit", (event) => {
  const form = event.target.closest("form[data-confirm]");
  if (form && !window.confirm(form.dataset.confirm)) event.preventDefault();
});

// data-width="42": a bar's width in percent, set through the DOM (allowed by the policy).
function applyWidths(root) {
  root.querySelectorAll("[data-width]").forEach((element) => {
    element.style.width = `${Number(element.dataset.width) || 0}%`;
  });
}
htmx.onLoad((content) => applyWidths(content.parentElement || content));

// hx-trigger polling on [data-poll-pause-open] skips a round while a <details> in it is open,
// so a form being filled in is not swapped away.
document.addEventListener("htmx:beforeRequest", (event) => {
  const element = event.detail.elt;
  if (element.matches("[data-poll-pause-open]") && element.querySelector("details[open]")) {
    event.preventDefault();
  }
});

// A collapsed part with hx-get is filled when it first opens (hx-trigger="detail-open once"):
// the request page sends fifty short rows, and an entry's full account only when asked for.
document.addEventListener("show.bs.collapse", (event) => {
  if (event.target.hasAttribute("hx-get")) htmx.trigger(event.target, "detail-open");
});

// <output data-weight-output="id">: shows the current value of the range input `id`.
document.addEventListener("input", (event) => {
  const input = event.target.closest("input[type=range]");
  if (!input) return;
  document.querySelectorAll(`[data-weight-output="${input.id}"]`).forEach((output) => {
    output.textContent = input.value;
  });
});
// <… data-countdown="epoch seconds" data-one data-other data-hours data-over>: "answer within 27
// minutes", counted down each 15 s in the words the server rendered ({n}, {h}, {m} filled in;
// one form for 1, the other for every other number, as in Finnish, Swedish and English).
function countdownText(element) {
  const minutes = Math.ceil((Number(element.dataset.countdown) * 1000 - Date.now()) / 60000);
  if (!(minutes > 0)) return element.dataset.over;
  if (minutes < 60) {
    return (minutes === 1 ? element.dataset.one : element.dataset.other).replace("{n}", minutes);
  }
  return element.dataset.hours.replace("{h}", Math.floor(minutes / 60)).replace("{m}", minutes % 60);
}
function countdownsUpdate() {
  document.querySelectorAll("[data-countdown]").forEach((element) => {
    element.textContent = countdownText(element);
  });
}
setInterval(countdownsUpdate, 15000);
htmx.onLoad(countdownsUpdate);
