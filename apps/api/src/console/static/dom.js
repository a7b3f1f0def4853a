// Building the page from data without innerHTML: every value from the API becomes a text node, so
// nothing it contains can ever run as markup.

/**
 * h('button', { class: 'primary', onclick: fn, 'aria-label': '…' }, 'Text', child, …)
 * Attributes: `class`, `text`, `on<event>` (listener), booleans (true → present, false/null → absent),
 * anything else as an attribute. Children: nodes, strings, numbers, arrays; null/false are skipped.
 */
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith('on') && typeof value === 'function') {
      element.addEventListener(name.slice(2), value);
    } else if (name === 'text') {
      element.textContent = String(value);
    } else if (value === true) {
      element.setAttribute(name, '');
    } else {
      element.setAttribute(name, String(value));
    }
  }
  append(element, children);
  return element;
}

function append(parent, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(parent, child);
    else parent.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** Replaces everything inside `element`. */
export function replaceChildren(element, ...children) {
  element.replaceChildren();
  append(element, children);
}

let counter = 0;
/** A fresh id for aria-labelledby / aria-describedby pairs. */
export function uid(prefix) {
  counter += 1;
  return `${prefix}-${counter}`;
}
