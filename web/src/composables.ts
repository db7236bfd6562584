import { ref, watch, type Ref } from 'vue';
import { useRoute, useRouter } from 'vue-router';
import { ApiError } from './api';

/**
 * A hospital view of a period (summary, groups, departments): the period from the address (or
 * the picker's choice, then written back to the address), the picker's state, and the latest
 * answer only (an earlier, slower one never overwrites it). `no-settlement` (404) is the empty
 * state "no settlement yet", not an error.
 */
export function usePeriodView<T>(fetch: (period: string) => Promise<T>) {
  const route = useRoute();
  const router = useRouter();
  const period = ref(typeof route.query.period === 'string' ? route.query.period : '');
  const pickerState = ref<'loading' | 'empty' | 'ready' | 'error'>('loading');
  const pickerError = ref<unknown>(null);
  const pickerKey = ref(0);
  const data = ref(null) as Ref<T | null>;
  const loading = ref(false);
  const error = ref<unknown>(null);
  const noSettlement = ref(false);

  let requested = '';
  let seq = 0;
  async function load(force = false): Promise<void> {
    if (!period.value || (!force && requested === period.value)) return;
    requested = period.value;
    const mine = ++seq;
    loading.value = true;
    error.value = null;
    noSettlement.value = false;
    try {
      const answer = await fetch(period.value);
      if (mine === seq) data.value = answer;
    } catch (err) {
      if (mine !== seq) return;
      data.value = null;
      if (err instanceof ApiError && err.code === 'no-settlement') noSettlement.value = true;
      else error.value = err;
    } finally {
      if (mine === seq) loading.value = false;
    }
  }

  watch(period, (p) => {
    if (p) void router.replace({ query: { ...route.query, period: p } });
    void load();
  });

  function onState(state: 'loading' | 'empty' | 'ready' | 'error', err?: unknown): void {
    pickerState.value = state;
    pickerError.value = err ?? null;
    if (state === 'ready') void load();
  }

  return { period, pickerState, pickerError, pickerKey, data, loading, error, noSettlement, load, onState };
}
