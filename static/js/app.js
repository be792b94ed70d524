// Progressive enhancement only: every control here also works as a plain form or link.
document.documentElement.classList.add("js");

document.addEventListener("change", (event) => {
  const select = event.target.closest("select[data-autosubmit]");
  if (select && select.form) select.form.requestSubmit();
});

document.addEventListener("click", async (event) => {
  const button = event.target.closest("[data-copy]");
  if (!button) return;
  const text = button.getAttribute("data-copy");
  try {
    await navigator.clipboard.writeText(text);
    const label = button.textContent;
    button.textContent = "Copied";
    setTimeout(() => { button.textContent = label; }, 1500);
  } catch (error) {
    window.prompt("Copy this:", text);
  }
});

// Codes list: "select all" for the bulk actions, and how many are selected.
function updateSelection(form) {
  const boxes = form.querySelectorAll('input[type=checkbox][name=codes]');
  const checked = Array.from(boxes).filter((box) => box.checked).length;
  const all = form.querySelector("[data-select-all]");
  if (all) {
    all.checked = checked > 0 && checked === boxes.length;
    all.indeterminate = checked > 0 && checked < boxes.length;
  }
  const label = form.querySelector("[data-selected-count]");
  if (label) label.textContent = checked ? `${checked} selected` : "Select all on this page";
}

document.addEventListener("change", (event) => {
  const target = event.target;
  if (target.matches("[data-select-all]")) {
    target.form.querySelectorAll('input[type=checkbox][name=codes]').forEach((box) => {
      box.checked = target.checked;
    });
    updateSelection(target.form);
  } else if (target.matches('input[type=checkbox][name=codes]') && target.form) {
    updateSelection(target.form);
  }
});

// Design form: show a colour's hex value and the logo size as a percentage while they change.
document.addEventListener("input", (event) => {
  const target = event.target;
  if (!target.id) return;
  document.querySelectorAll(`[data-hex-for="${target.id}"]`).forEach((el) => {
    el.textContent = target.value.toUpperCase();
  });
  document.querySelectorAll(`[data-percent-of="${target.id}"]`).forEach((el) => {
    el.textContent = `${Math.round(parseFloat(target.value) * 100)} %`;
  });
});

// Codes list filters: leave empty filters out of the request, so the URL shows only what is set.
document.addEventListener("htmx:configRequest", (event) => {
  if (event.detail.elt.id !== "filters" || !event.detail.formData) return;
  const data = event.detail.formData;
  for (const key of Array.from(data.keys())) {
    if (data.get(key) === "") data.delete(key);
  }
});

// "Select all N matching": every box on the page is part of it, so they show as selected.
document.addEventListener("change", (event) => {
  const target = event.target;
  if (!target.matches("[data-match-all]") || !target.form) return;
  if (target.checked) {
    target.form.querySelectorAll('input[type=checkbox][name=codes]').forEach((box) => {
      box.checked = true;
    });
    updateSelection(target.form);
  }
});

// Design form: ball shapes the guard always refuses inside the chosen eye frame are switched
// off before they can be picked (the server refuses them too, for forms sent without this).
function updateEyeBalls(form) {
  const frame = form.querySelector('input[name$="finder_frame_shape"]:checked');
  if (!frame) return;
  let switched = false;
  form.querySelectorAll("[data-refused-with]").forEach((tile) => {
    const radio = tile.querySelector("input");
    const refused = tile.dataset.refusedWith.split(" ").includes(frame.value);
    radio.disabled = refused;
    tile.title = refused ? `Not with a ${frame.value} frame: phones misread it` : "";
    if (refused && radio.checked) {
      radio.checked = false;
      switched = true;
    }
  });
  if (switched) {
    const same = form.querySelector(`input[name$="finder_ball_shape"][value="${frame.value}"]`);
    if (same) {
      same.checked = true;
      same.dispatchEvent(new Event("change", { bubbles: true }));
    }
  }
  const anyRefused = form.querySelector("[data-refused-with] input:disabled") !== null;
  form.querySelectorAll("[data-eyes-note]").forEach((note) => { note.hidden = !anyRefused; });
}

document.addEventListener("change", (event) => {
  if (event.target.matches('input[name$="finder_frame_shape"]') && event.target.form) {
    updateEyeBalls(event.target.form);
  }
});
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("form").forEach(updateEyeBalls);
});

// Editor on a phone: once the preview has scrolled out of view, a small copy of it floats in a
// corner (a link back to it), and follows every re-rendered preview.
function setUpMiniPreview() {
  const mini = document.querySelector("[data-mini-preview]");
  const preview = document.getElementById("preview");
  if (!mini || !preview || !("IntersectionObserver" in window)) return;
  const copy = () => {
    const image = preview.querySelector(".preview-stage img");
    const img = mini.querySelector("img");
    if (image) img.src = image.src;
    return Boolean(image);
  };
  new IntersectionObserver(([entry]) => {
    if (!entry.isIntersecting && copy()) mini.setAttribute("data-visible", "");
    else mini.removeAttribute("data-visible");
  }).observe(preview);
  document.body.addEventListener("htmx:afterSwap", (event) => {
    if (event.detail.target === preview) copy();
  });
}
document.addEventListener("DOMContentLoaded", setUpMiniPreview);

// Forms with errors: open every collapsed section that holds one, and move focus to the summary
// at the top. A link in the summary opens the field's section and focuses the field.
function openSectionsAround(element) {
  for (let node = element; node; node = node.parentElement) {
    if (node.tagName === "DETAILS") node.open = true;
  }
}
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll(".has-error, .errorlist").forEach(openSectionsAround);
  const summary = document.querySelector("[data-error-summary]");
  if (summary) summary.focus();
});
document.addEventListener("click", (event) => {
  const link = event.target.closest("[data-error-link]");
  if (!link) return;
  const field = document.getElementById(link.getAttribute("href").slice(1));
  if (!field) return;
  event.preventDefault();
  openSectionsAround(field);
  field.scrollIntoView({ block: "center" });
  field.focus();
});

// A logo over the size limit is refused here, before it is sent (the server checks it too):
// captured at the document, so it runs before htmx's own listener on the input uploads it.
document.addEventListener("change", (event) => {
  const input = event.target;
  if (!input.matches || !input.matches("input[type=file][data-max-bytes]")) return;
  const field = input.closest(".field");
  const old = field && field.querySelector("[data-size-error]");
  if (old) old.remove();
  const file = input.files && input.files[0];
  const limit = Number(input.dataset.maxBytes);
  if (!file || file.size <= limit) return;
  event.stopImmediatePropagation();
  input.value = "";
  const mb = (bytes) => (bytes / 1024 / 1024).toFixed(1);
  const error = document.createElement("ul");
  error.className = "errorlist";
  error.setAttribute("role", "alert");
  error.dataset.sizeError = "";
  error.innerHTML = "<li></li>";
  error.firstChild.textContent = `The logo is ${mb(file.size)} MB; logos can be at most ${Math.round(limit / 1024 / 1024)} MB. Save it smaller (PNG or JPEG) and try again.`;
  if (field) {
    field.classList.add("has-error");
    field.appendChild(error);
  }
}, true);

// Codes list: the bulk bar says what "Apply" will do, in words ("Move 4 codes to Spring sale"),
// and the button carries that sentence; a move without a chosen group cannot be applied.
function describeBulk(form) {
  const summary = form.querySelector("[data-bulk-summary]");
  const apply = form.querySelector("[data-bulk-apply]");
  const action = form.querySelector("#bulk-action");
  if (!summary || !apply || !action) return;
  const all = form.querySelector("[data-match-all]");
  const matching = all && all.checked ? all.closest("label").textContent.match(/\d[\d,]*/) : null;
  const count = matching ? Number(matching[0].replace(/,/g, "")) :
    form.querySelectorAll('input[type=checkbox][name=codes]:checked').length;
  const codes = `${count} code${count === 1 ? "" : "s"}`;
  const chosen = (select) => (select && select.value ? select.options[select.selectedIndex].text : "");
  let sentence = "";
  let ready = count > 0;
  switch (action.value) {
    case "move": {
      const group = form.querySelector("#bulk-group");
      if (!group.value) { sentence = "Choose the group to move them to."; ready = false; }
      else if (group.value === "none") sentence = `Take ${codes} out of their groups`;
      else sentence = `Move ${codes} to ${chosen(group)}`;
      break;
    }
    case "apply_style": {
      const style = form.querySelector("#bulk-template");
      if (!style.value) { sentence = "Choose the brand style to apply."; ready = false; }
      else sentence = `Apply “${chosen(style)}” to ${codes}`;
      break;
    }
    default:
      sentence = `${action.options[action.selectedIndex].text} ${codes}`;
  }
  if (!count) { sentence = "Select codes first."; ready = false; }
  summary.textContent = sentence;
  apply.textContent = ready ? sentence : "Apply to selected";
  apply.disabled = !ready;
}
document.addEventListener("change", (event) => {
  const form = event.target.closest && event.target.closest("form#bulk");
  if (form) describeBulk(form);
});
document.addEventListener("DOMContentLoaded", () => {
  const form = document.getElementById("bulk");
  if (form) describeBulk(form);
});
document.addEventListener("htmx:afterSettle", () => {
  const form = document.getElementById("bulk");
  if (form) describeBulk(form);
});
