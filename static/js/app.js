// Small progressive enhancements; no inline scripts (CSP).
document.addEventListener("change", (event) => {
  const el = event.target;
  if (el.matches("select[data-navigate]")) {
    window.location.assign(el.value);
  } else if (el.matches("[data-autosubmit]")) {
    el.form.requestSubmit();
  }
});
