// Small DOM helpers the facilitator's pages share.

/** The element with this id. */
export const $ = (id) => document.getElementById(id);
