import type { Directive } from 'vue';

/**
 * `v-row-testids="ids"` on an <el-table>: gives its body rows `data-testid` attributes, the
 * i-th row the i-th id. Element Plus renders the rows itself and has no hook for row attributes
 * (only classes and styles), so the attributes are set on the DOM after each of its renders (a
 * MutationObserver). The ids must be in the order of the rows shown: tables using this sort
 * their data themselves (`sortable="custom"`), never inside the table.
 */
interface Tagged extends HTMLElement {
  __rowIds?: string[];
  __rowObserver?: MutationObserver;
}

function sync(el: Tagged): void {
  // The first body is the table's own; tables inside expanded rows come later in the document.
  const body = el.querySelector('.el-table__body-wrapper tbody');
  if (!body) return;
  const ids = el.__rowIds ?? [];
  let i = 0;
  for (const row of Array.from(body.children)) {
    if (!row.classList.contains('el-table__row')) continue;
    const id = ids[i++];
    if (id === undefined) row.removeAttribute('data-testid');
    else if (row.getAttribute('data-testid') !== id) row.setAttribute('data-testid', id);
  }
}

export const vRowTestids: Directive<Tagged, string[]> = {
  mounted(el, binding) {
    el.__rowIds = binding.value;
    el.__rowObserver = new MutationObserver(() => sync(el));
    el.__rowObserver.observe(el, { childList: true, subtree: true });
    sync(el);
  },
  updated(el, binding) {
    el.__rowIds = binding.value;
    sync(el);
  },
  unmounted(el) {
    el.__rowObserver?.disconnect();
  },
};
