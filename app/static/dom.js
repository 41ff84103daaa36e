// Small DOM helpers the facilitator's pages share.

/** The element with this id. */
export const $ = (id) => document.getElementById(id);

/** The child of parent matching selector, made with make() and appended when there is none. */
export function findOrInsert(parent, selector, make) {
  const found = parent.querySelector(`:scope > ${selector}`);
  if (found) return found;
  const made = make();
  parent.append(made);
  return made;
}
