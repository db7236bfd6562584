/**
 * Chart data points carry the API's exact decimal beside the float coordinate, and the tooltips
 * show the exact one, formatted: the float only places the point.
 */
export interface ExactPoint {
  value: number | null;
  exact: string | null;
}

/** The fields of an ECharts tooltip parameter the formatters read. */
export interface TipParam {
  marker?: string;
  seriesName?: string;
  name?: string;
  axisValueLabel?: string;
  data?: unknown;
}

export const exactOf = (p: TipParam): string | null => {
  const d = p.data as ExactPoint | null | undefined;
  return d && typeof d === 'object' && 'exact' in d ? d.exact : null;
};

/** An axis tooltip: the axis label, then one line per series with its exact value formatted. */
export function axisTooltip(format: (s: string) => string) {
  return (raw: unknown): string => {
    const params = (Array.isArray(raw) ? raw : [raw]) as TipParam[];
    const head = escapeHtml(params[0]?.axisValueLabel ?? params[0]?.name ?? '');
    const lines = params
      .map((p) => {
        const exact = exactOf(p);
        return exact === null ? null : `${p.marker ?? ''}${escapeHtml(p.seriesName ?? '')}: <b>${escapeHtml(format(exact))}</b>`;
      })
      .filter((l): l is string => l !== null);
    return [head, ...lines].join('<br/>');
  };
}

/** Tooltips are HTML: names come from the data (hospital, group codes). */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}
