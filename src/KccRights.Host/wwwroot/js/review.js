// Review (issue 13 Build 1), progressive enhancement: selecting text in the item fills the find-and-redact form's
// "Text to find", and moves the focus there, so the reviewer chooses a code and a note and redacts. Without
// JavaScript the same form is typed; nothing here is needed to review.
const content = document.getElementById('item-content');
const find = document.getElementById('find');
if (content && find) {
  for (const hint of document.querySelectorAll('.kcc-js-only')) {
    hint.hidden = false;
  }
  const fill = () => {
    const selection = window.getSelection();
    if (!selection || selection.isCollapsed || selection.rangeCount === 0) {
      return;
    }
    const range = selection.getRangeAt(0);
    if (!content.contains(range.commonAncestorContainer)) {
      return;
    }
    const text = selection.toString().trim();
    if (text.length === 0 || text.length > 500) {
      return;
    }
    find.value = text;
    find.dispatchEvent(new Event('input', { bubbles: true }));
  };
  content.addEventListener('mouseup', fill);
  content.addEventListener('keyup', (event) => {
    if (event.shiftKey) {
      fill();
    }
  });
}
