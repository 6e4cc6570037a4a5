// Date filters commit on Enter, and on Tab out of their last part (issue 16 item 11).
//
// Streamlit's st.date_input is a row of editable parts (year, month, day of the start and end dates). It sends the
// dates to the app on Escape, or when focus leaves the field with its calendar closed; Enter did nothing, and Tab
// only moved to the next part (or into the open calendar), so typed dates seemed ignored. This listener, installed
// once per browser tab by the chart component's hidden preload element (dashboard/plotly_component.py), answers Enter anywhere in the field, and Tab from its last part, with
// the field's own Escape: the field commits (and closes its calendar), the filter applies, and the focus stays
// where it was (Tab then moves it on as usual). Tab between parts is left as it is.
const FIELD = '[data-testid="stDateInput"]';
const PART = '[role="spinbutton"]';  // the editable parts: year, month, day of each date

function commit(part) {
  part.dispatchEvent(new KeyboardEvent("keydown", { key: "Escape", code: "Escape", bubbles: true, cancelable: true }));
}

function installDateKeys() {
  if (window.__newslensDateKeys) {
    return;  // one listener per tab, whatever the number of reruns
  }
  window.__newslensDateKeys = true;
  document.addEventListener("keydown", (event) => {
    if (event.key !== "Enter" && event.key !== "Tab") {
      return;
    }
    const part = event.target;
    const field = part instanceof Element && part.matches(PART) ? part.closest(FIELD) : null;
    if (!field) {
      return;
    }
    if (event.key === "Enter") {
      event.preventDefault();  // nothing else happens on Enter: no day picked, no form submitted
      commit(part);
      return;
    }
    const parts = field.querySelectorAll(PART);
    if (!event.shiftKey && part === parts[parts.length - 1]) {
      commit(part);  // leaving the field: commit now; the browser still moves the focus on
    }
  }, true);
}
