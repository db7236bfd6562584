import { h } from 'vue';
import { ElMessage } from 'element-plus';
import { ApiError, messageOf, problemText } from './api';

/** Shows a refusal in an Element Plus message: its sentence, and each problem under it. */
export function showError(err: unknown): void {
  const problems = err instanceof ApiError ? err.problems : [];
  ElMessage({
    type: 'error',
    showClose: true,
    duration: problems.length > 0 ? 10_000 : 6_000,
    message:
      problems.length === 0
        ? messageOf(err)
        : h('div', { 'data-testid': 'error-message' }, [
            h('div', messageOf(err)),
            h(
              'ul',
              { style: 'margin: 4px 0 0; padding-left: 18px' },
              problems.slice(0, 20).map((p) => h('li', problemText(p))),
            ),
          ]),
  });
}

export function showSuccess(message: string): void {
  ElMessage({ type: 'success', message, showClose: true });
}
